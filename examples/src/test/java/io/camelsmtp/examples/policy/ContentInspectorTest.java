package io.camelsmtp.examples.policy;

import java.nio.charset.StandardCharsets;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.converter.stream.InputStreamCache;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContentInspectorTest {

    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    private Exchange inspect(String raw) throws Exception {
        ContentInspector inspector = new ContentInspector();
        inspector.setKeywords("lottery, bitcoin ,,act now");
        inspector.setTagScore(1);
        inspector.setQuarantineScore(3);
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(new InputStreamCache(raw.getBytes(StandardCharsets.UTF_8)));
        inspector.inspect(exchange);
        return exchange;
    }

    private static String read(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof InputStreamCache cache) {
            String s = new String(cache.readAllBytes(), StandardCharsets.UTF_8);
            cache.reset();
            return s;
        }
        return new String((byte[]) body, StandardCharsets.UTF_8);
    }

    @Test
    void executableExtensions() {
        for (String name : new String[] {"a.EXE", "run.ps1", "x.exe. ", "x.Jar", "setup.msi", "a.b.cmd"}) {
            assertTrue(ContentInspector.hasExecutableExtension(name), name);
        }
        for (String name : new String[] {"x.exe.txt", "exe", "notes.js.pdf", "readme", "x.exex", ".profile"}) {
            assertFalse(ContentInspector.hasExecutableExtension(name), name);
        }
    }

    @Test
    void cleanMailIsLeftReadableFromItsStart() throws Exception {
        String raw = "From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n";
        Exchange e = inspect(raw);
        assertEquals("clean", e.getMessage().getHeader(ContentInspector.VERDICT));
        assertEquals(raw, read(e));
    }

    @Test
    void findsExecutablesInsideAttachedMessagesAndByContent() throws Exception {
        String attachedMessage = "Subject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n"
                + "--o\r\nContent-Type: text/plain\r\n\r\nsee the forwarded mail\r\n"
                + "--o\r\nContent-Type: message/rfc822\r\n\r\n"
                + "Subject: inner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
                + "--i\r\nContent-Type: text/plain\r\n\r\ninner\r\n"
                + "--i\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.VBS\r\n\r\nx\r\n--i--\r\n"
                + "--o--\r\n";
        Exchange e = inspect(attachedMessage);
        assertEquals("executable", e.getMessage().getHeader(ContentInspector.VERDICT));
        assertEquals("message/2/message/2: file name résumé.VBS", e.getMessage().getHeader(ContentInspector.REASON));

        String mzTextAttachment = "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n"
                + "--o\r\nContent-Type: text/plain\r\nContent-Disposition: attachment\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--o--\r\n";
        assertEquals("executable", inspect(mzTextAttachment).getMessage().getHeader(ContentInspector.VERDICT));

        String mzInlineText = "Subject: x\r\n\r\nMZ is a postcode prefix\r\n";
        assertEquals("clean", inspect(mzInlineText).getMessage().getHeader(ContentInspector.VERDICT));
    }

    @Test
    void spamIsTaggedInTheHeaderBlockOnly() throws Exception {
        String body = "\r\nwin the Lottery\r\nSubject: not a header\r\n";
        String raw = "Received: from x\r\n\tby y\r\nX-Spam-Flag: NO\r\nSubject: Great\r\n news\r\nx-spam-score: -5\r\n"
                + "To: b@example.org\r\n" + body;
        Exchange e = inspect(raw);
        assertEquals("spam", e.getMessage().getHeader(ContentInspector.VERDICT));
        assertEquals(1, e.getMessage().getHeader(ContentInspector.SCORE));
        assertEquals("X-Spam-Flag: YES\r\nX-Spam-Score: 1\r\nReceived: from x\r\n\tby y\r\n"
                     + "Subject: [SPAM] Great\r\n news\r\nTo: b@example.org\r\n" + body, read(e));

        Exchange noSubject = inspect("From: a@example.org\r\n\r\nbitcoin lottery, act now\r\n");
        assertEquals("quarantine", noSubject.getMessage().getHeader(ContentInspector.VERDICT));
        assertEquals("X-Spam-Flag: YES\r\nX-Spam-Score: 3\r\nFrom: a@example.org\r\nSubject: [SPAM]\r\n"
                     + "\r\nbitcoin lottery, act now\r\n", read(noSubject));
    }

    @Test
    void tagKeepsEveryByteAfterTheHeaders() {
        byte[] raw = "Subject: =?UTF-8?B?w6k=?=\r\n\r\n\u00e9\u0000\r\n.\r\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] tagged = ContentInspector.tag(raw, 2);
        String expected = "X-Spam-Flag: YES\r\nX-Spam-Score: 2\r\nSubject: [SPAM] =?UTF-8?B?w6k=?=\r\n\r\n\u00e9\u0000\r\n.\r\n";
        assertArrayEquals(expected.getBytes(StandardCharsets.ISO_8859_1), tagged);
    }
}
