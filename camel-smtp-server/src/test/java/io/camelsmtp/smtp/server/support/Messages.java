package io.camelsmtp.smtp.server.support;

/** Small RFC 5322 messages for tests. */
public final class Messages {

    private Messages() {
    }

    public static String simple(String subject) {
        return "From: a@client.test\r\nTo: b@example.org\r\nSubject: " + subject
               + "\r\nMessage-ID: <" + subject.hashCode() + "@client.test>\r\n\r\nHello " + subject + "\r\n";
    }
}
