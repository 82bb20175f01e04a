package io.camelsmtp.smtp.queue.dsn;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * A message parsed from bytes that writes back exactly those bytes. {@link MimeMessage} would rewrite its header
 * lines and always put an empty line after them, which alters a message that has none; the {@code message/rfc822}
 * part of a report must be the original, octet for octet.
 */
final class VerbatimMessage extends MimeMessage {

    private final byte[] raw;

    VerbatimMessage(Session session, byte[] raw) throws MessagingException {
        super(session, new ByteArrayInputStream(raw));
        this.raw = raw;
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreList) throws IOException {
        os.write(raw);
    }
}
