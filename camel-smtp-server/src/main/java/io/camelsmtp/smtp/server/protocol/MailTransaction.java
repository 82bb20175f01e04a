package io.camelsmtp.smtp.server.protocol;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.camelsmtp.smtp.common.Envelope;
import org.subethamail.smtp.MessageHandler;

/**
 * One mail transaction, from MAIL FROM to the end of DATA or BDAT LAST: the envelope and its ESMTP parameters.
 * SubEthaSMTP creates one per MAIL command (as its {@link MessageHandler}) and calls {@link #done()} when the
 * transaction ends, whatever the outcome, which releases a partly received BDAT message.
 */
public final class MailTransaction implements MessageHandler {

    private String from;
    private final List<String> recipients = new ArrayList<>();
    private final List<String> notify = new ArrayList<>();
    private final List<String> orcpt = new ArrayList<>();
    private String bodyType = "7BIT";
    private boolean utf8;
    private long declaredSize = -1;
    private String ret;
    private String envid;
    private boolean requireTlsOption;
    private String queueId;
    private SpoolWriter chunks;
    private ContentReader chunkReader;

    /** Reverse-path; the empty string for the null sender. */
    public String from() {
        return from;
    }

    /** Accepted forward-paths, in the order received. */
    public List<String> recipients() {
        return Collections.unmodifiableList(recipients);
    }

    /** DSN NOTIFY per recipient (null entries where absent), aligned with {@link #recipients()}. */
    public List<String> dsnNotify() {
        return Collections.unmodifiableList(notify);
    }

    /** DSN ORCPT per recipient (null entries where absent), aligned with {@link #recipients()}. */
    public List<String> dsnOrcpt() {
        return Collections.unmodifiableList(orcpt);
    }

    /** {@code 7BIT} or {@code 8BITMIME}. */
    public String bodyType() {
        return bodyType;
    }

    public boolean utf8() {
        return utf8;
    }

    /** SIZE= from MAIL FROM, or -1. */
    public long declaredSize() {
        return declaredSize;
    }

    /** DSN RET ({@code FULL}/{@code HDRS}) or null. */
    public String ret() {
        return ret;
    }

    /** DSN ENVID or null. */
    public String envid() {
        return envid;
    }

    /** The envelope so far: sender, the recipients accepted until now, and the MAIL FROM parameters. */
    public Envelope envelope() {
        List<Envelope.Recipient> rcpts = new ArrayList<>(recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            rcpts.add(new Envelope.Recipient(recipients.get(i), notify.get(i), orcpt.get(i)));
        }
        return new Envelope(from, rcpts, bodyType, utf8, ret, envid, queueId, requireTlsOption);
    }

    /** The client sent REQUIRETLS on MAIL FROM (RFC 8689). */
    public boolean requireTlsOption() {
        return requireTlsOption;
    }

    /** Queue id, assigned when the message content starts. */
    public String queueId() {
        return queueId;
    }

    void from(String from, String bodyType, boolean utf8, long declaredSize, String ret, String envid,
            boolean requireTlsOption) {
        this.requireTlsOption = requireTlsOption;
        this.from = from;
        this.bodyType = bodyType;
        this.utf8 = utf8;
        this.declaredSize = declaredSize;
        this.ret = ret;
        this.envid = envid;
    }

    void addRecipient(String recipient, String notifyParam, String orcptParam) {
        recipients.add(recipient);
        notify.add(notifyParam);
        orcpt.add(orcptParam);
    }

    void queueId(String queueId) {
        this.queueId = queueId;
    }

    SpoolWriter chunks() {
        return chunks;
    }

    ContentReader chunkReader() {
        return chunkReader;
    }

    void chunks(SpoolWriter chunks, ContentReader reader) {
        this.chunks = chunks;
        this.chunkReader = reader;
    }

    @Override
    public void from(String from) {
        // the MAIL command of this package fills the envelope itself
    }

    @Override
    public void recipient(String recipient) {
        // the RCPT command of this package fills the envelope itself
    }

    @Override
    public String data(InputStream data) {
        throw new UnsupportedOperationException("DATA and BDAT are handled by this package's commands");
    }

    @Override
    public void done() {
        if (chunks != null) {
            chunks.abort();
            chunks = null;
            chunkReader = null;
        }
    }
}
