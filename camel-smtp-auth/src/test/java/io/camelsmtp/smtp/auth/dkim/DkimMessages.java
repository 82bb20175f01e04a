package io.camelsmtp.smtp.auth.dkim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Messages and signing shortcuts for the DKIM tests. */
final class DkimMessages {

    /** Folded and oddly spaced fields, trailing white space, empty lines at the end: what canonicalization is for. */
    static final String MESSAGE = "Received: from client.test (client.test [192.0.2.10])\r\n"
                                  + "\tby mx.bar.test; Sun, 6 Dec 2026 10:00:00 +0000\r\n"
                                  + "From: Alice  Example <alice@bar.test>\r\n"
                                  + "To: bob@example.test,\r\n   carol@example.test\r\n"
                                  + "Subject:   Quarterly   report \r\n"
                                  + "Date: Sun, 6 Dec 2026 10:00:00 +0000\r\n"
                                  + "Message-ID: <1@bar.test>\r\n"
                                  + "MIME-Version: 1.0\r\n"
                                  + "Content-Type: text/plain; charset=utf-8\r\n"
                                  + "\r\n"
                                  + "Hello Bob,  \r\n"
                                  + "\r\n"
                                  + "the figures   are attached.\t\r\n"
                                  + "\r\n"
                                  + "\r\n";

    private DkimMessages() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The message with our signatures in front, made as the step makes them. */
    static byte[] sign(byte[] message, String canonicalization, Duration expiration, SigningKey... keys)
            throws IOException, DkimException {
        Canonicalization[] c = Canonicalization.parse(canonicalization);
        DkimSigner signer = new DkimSigner(c[0], c[1], null, expiration, Clock.systemUTC());
        InputStream in = new ByteArrayInputStream(message);
        HeaderSection section = HeaderSection.read(in);
        String fields = signer.sign(List.of(keys), section, in);
        byte[] f = bytes(fields);
        byte[] out = new byte[f.length + message.length];
        System.arraycopy(f, 0, out, 0, f.length);
        System.arraycopy(message, 0, out, f.length, message.length);
        return out;
    }

    static DkimVerifier.Outcome verify(byte[] message, KeyRecordSource keys) throws IOException {
        InputStream in = new ByteArrayInputStream(message);
        HeaderSection section;
        try {
            section = HeaderSection.read(in);
        } catch (DkimException e) {
            throw new AssertionError(e);
        }
        return new DkimVerifier(keys, Clock.systemUTC()).verify(section, in);
    }
}
