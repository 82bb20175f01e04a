package io.camelsmtp.smtp.server;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Converter;
import org.apache.camel.StreamCache;

/**
 * Converts between a raw RFC 5322 message (the body {@code smtp-server} produces) and Jakarta Mail's
 * {@link MimeMessage}, so that {@code convertBodyTo(MimeMessage.class)} works and a MimeMessage body can be turned
 * back into bytes.
 */
@Converter(generateLoader = true)
public final class SmtpMessageConverters {

    private static final Session SESSION = Session.getInstance(new Properties());

    private SmtpMessageConverters() {
    }

    /**
     * Parses the message; a re-readable body (a StreamCache) is read from its start and left readable again. Jakarta
     * Mail marks and resets the stream it parses; a StreamCache's reset() returns to its mark, so the parser gets a
     * view that cannot be marked (it buffers by itself) and the cache's mark stays at the start.
     */
    @Converter
    public static MimeMessage toMimeMessage(InputStream raw) throws MessagingException {
        if (raw instanceof StreamCache cache) {
            cache.reset();
            try {
                return new MimeMessage(SESSION, new FilterInputStream(raw) {
                    @Override
                    public boolean markSupported() {
                        return false;
                    }

                    @Override
                    public synchronized void mark(int readlimit) {
                        // not markable: see above
                    }
                });
            } finally {
                cache.reset();
            }
        }
        return new MimeMessage(SESSION, raw);
    }

    @Converter
    public static MimeMessage toMimeMessage(byte[] raw) throws MessagingException {
        return new MimeMessage(SESSION, new ByteArrayInputStream(raw));
    }

    @Converter
    public static byte[] toByteArray(MimeMessage message) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    @Converter
    public static InputStream toInputStream(MimeMessage message) throws IOException, MessagingException {
        return new ByteArrayInputStream(toByteArray(message));
    }
}
