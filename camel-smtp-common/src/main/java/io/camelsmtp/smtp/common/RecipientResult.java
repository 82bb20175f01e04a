package io.camelsmtp.smtp.common;

import java.time.Instant;

import io.camelsmtp.smtp.common.SmtpReply;

/** What happened to one recipient: its status, the reply that decided it, and where and how it was sent. */
public final class RecipientResult {

    /** Outcome of one recipient. */
    public enum Status {
        /** The receiving server accepted responsibility (2xx after DATA). */
        DELIVERED,
        /** Failed for now (4xx, time-out, connection failure, DNS SERVFAIL): try again later. */
        DEFERRED,
        /** Failed for good (5xx, NXDOMAIN, null MX, invalid address): do not retry. */
        FAILED
    }

    private final String recipient;
    private final Status status;
    private final SmtpReply reply;
    private final String host;
    private final String address;
    private final String tlsProtocol;
    private final Instant time;

    public RecipientResult(String recipient, Status status, SmtpReply reply, String host, String address,
                           String tlsProtocol, Instant time) {
        this.recipient = recipient;
        this.status = status;
        this.reply = reply;
        this.host = host;
        this.address = address;
        this.tlsProtocol = tlsProtocol;
        this.time = time;
    }

    /** Classifies {@code reply}: 2xx delivered, 4xx deferred, 5xx failed. */
    public static RecipientResult of(String recipient, SmtpReply reply, String host, String address, String tls) {
        Status s = reply.isPositive() ? Status.DELIVERED : reply.isTransient() ? Status.DEFERRED : Status.FAILED;
        return new RecipientResult(recipient, s, reply, host, address, tls, Instant.now());
    }

    public String getRecipient() {
        return recipient;
    }

    public Status getStatus() {
        return status;
    }

    public SmtpReply getReply() {
        return reply;
    }

    public int getCode() {
        return reply.code();
    }

    /** Enhanced status code such as {@code 5.1.1}, or null when the server gave none. */
    public String getEnhancedStatus() {
        return reply.enhancedStatus();
    }

    public String getText() {
        return reply.text();
    }

    /** MX or smart host name, or null when no host was reached (DNS failure, invalid address). */
    public String getHost() {
        return host;
    }

    /** IP address of the host, or null. */
    public String getAddress() {
        return address;
    }

    /** TLS protocol of the connection (e.g. TLSv1.3), or null for plaintext or no connection. */
    public String getTlsProtocol() {
        return tlsProtocol;
    }

    public Instant getTime() {
        return time;
    }

    @Override
    public String toString() {
        return "<" + recipient + "> " + status.name().toLowerCase() + ": " + reply
               + (host != null ? " (" + host + (address != null ? " [" + address + "]" : "") + ")" : "")
               + (tlsProtocol != null ? " " + tlsProtocol : "");
    }
}
