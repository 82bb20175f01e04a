package io.camelsmtp.smtp.queue.dsn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Properties;

import jakarta.activation.CommandMap;
import jakarta.activation.MailcapCommandMap;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DsnBuilderTest {

    private static final String HOST = "mail.example.org";
    private static final Instant NOW = Instant.parse("2024-03-05T10:15:30Z");
    private static final Instant ARRIVAL = Instant.parse("2024-03-04T08:00:00Z");
    private static final Instant ATTEMPT = Instant.parse("2024-03-05T10:15:00Z");
    private static final Instant UNTIL = Instant.parse("2024-03-09T08:00:00Z");
    private static final String HEADERS = "From: Alice <alice@example.com>\r\n"
            + "To: Bob <bob@example.org>\r\n"
            + "Subject: Lunch\r\n"
            + "Message-ID: <1234@example.com>\r\n";
    private static final byte[] ORIGINAL = (HEADERS + "\r\nShall we meet at noon?\r\n").getBytes(StandardCharsets.US_ASCII);

    private final DsnBuilder builder = new DsnBuilder(HOST, DsnBuilder.DEFAULT_MAX_RETURNED_SIZE,
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void oneFailedRecipientWithOrcpt() throws Exception {
        DsnRecipient bob = new DsnRecipient("bob@example.org", "rfc822;bob@example.org", "failed", "5.1.1",
                "mx.example.org", "550 5.1.1 No such user", ATTEMPT, null);
        byte[] dsn = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", "QQ314159", null, ARRIVAL,
                List.of(bob));

        assertCrlfOnly(dsn);
        MimeMessage m = parse(dsn);
        assertEquals("Mail Delivery System <MAILER-DAEMON@mail.example.org>", m.getHeader("From", null));
        InternetAddress from = (InternetAddress) m.getFrom()[0];
        assertEquals("MAILER-DAEMON@mail.example.org", from.getAddress());
        assertEquals("<alice@example.com>", m.getHeader("To", null));
        assertEquals("alice@example.com", ((InternetAddress) m.getAllRecipients()[0]).getAddress());
        assertEquals("Undelivered Mail Returned to Sender", m.getSubject());
        assertEquals("auto-replied", m.getHeader("Auto-Submitted", null));
        assertEquals("1.0", m.getHeader("MIME-Version", null));
        assertEquals(Date.from(NOW), m.getSentDate());
        assertTrue(m.getMessageID().matches("<[^@<>\\s]+@mail\\.example\\.org>"), m.getMessageID());

        Multipart report = report(m);
        assertEquals(3, report.getCount());
        assertType("text/plain", report.getBodyPart(0));
        assertEquals("UTF-8", new ContentType(report.getBodyPart(0).getContentType()).getParameter("charset"));
        assertType("message/delivery-status", report.getBodyPart(1));
        assertType("text/rfc822-headers", report.getBodyPart(2));

        DeliveryStatus ds = deliveryStatus(report);
        InternetHeaders perMessage = ds.getMessageDSN();
        assertEquals("dns; mail.example.org", perMessage.getHeader("Reporting-MTA", null));
        assertEquals("QQ314159", perMessage.getHeader("Original-Envelope-Id", null));
        assertEquals(ARRIVAL, date(perMessage.getHeader("Arrival-Date", null)));
        assertEquals(1, ds.getRecipientDSNCount());
        InternetHeaders r = ds.getRecipientDSN(0);
        assertEquals("rfc822; bob@example.org", r.getHeader("Final-Recipient", null));
        assertEquals("rfc822;bob@example.org", r.getHeader("Original-Recipient", null));
        assertEquals("failed", r.getHeader("Action", null));
        assertEquals("5.1.1", r.getHeader("Status", null));
        assertEquals("dns; mx.example.org", r.getHeader("Remote-MTA", null));
        assertEquals("smtp; 550 5.1.1 No such user", r.getHeader("Diagnostic-Code", null));
        assertEquals(ATTEMPT, date(r.getHeader("Last-Attempt-Date", null)));
        assertNull(r.getHeader("Will-Retry-Until"));

        String text = text(report);
        assertTrue(text.startsWith("This is the mail system at host mail.example.org."), text);
        assertTrue(text.contains("I'm sorry to have to inform you that your message could not be delivered to one"
                + " or more recipients."), text);
        assertTrue(text.contains("<bob@example.org> (failed): host mx.example.org said: 550 5.1.1 No such user"),
                text);
    }

    @Test
    void fieldsFollowTheOrderOfRfc3464() throws Exception {
        DsnRecipient bob = new DsnRecipient("bob@example.org", "rfc822;bob@example.org", "failed", "5.1.1",
                "mx.example.org", "550 5.1.1 No such user", ATTEMPT, null);
        byte[] dsn = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", "QQ314159", null, ARRIVAL,
                List.of(bob));

        List<String> names = new ArrayList<>();
        for (String line : partText(report(parse(dsn)).getBodyPart(1)).split("\r\n")) {
            if (!line.isEmpty()) {
                names.add(line.substring(0, line.indexOf(':')));
            }
        }
        assertEquals(List.of("Original-Envelope-Id", "Reporting-MTA", "Arrival-Date", "Original-Recipient",
                "Final-Recipient", "Action", "Status", "Remote-MTA", "Diagnostic-Code", "Last-Attempt-Date"), names);
    }

    @Test
    void severalRecipientsMixed() throws Exception {
        List<DsnRecipient> recipients = List.of(
                new DsnRecipient("bob@example.org", "carol@example.net", "failed", "5.1.1", "mx.example.org",
                        "550 5.1.1 No such user", ATTEMPT, null),
                new DsnRecipient("<dave@example.net>", null, null, "5.4.4", null, null, null, null),
                new DsnRecipient("erin@example.com", "rfc822;erin@example.com", "delayed", "4.4.1",
                        "mx.example.com", "421 4.4.1 Try again later", ATTEMPT, UNTIL));
        byte[] dsn = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, "HDRS", ARRIVAL,
                recipients);

        assertCrlfOnly(dsn);
        Multipart report = report(parse(dsn));
        DeliveryStatus ds = deliveryStatus(report);
        assertNull(ds.getMessageDSN().getHeader("Original-Envelope-Id"));
        assertEquals(3, ds.getRecipientDSNCount());

        InternetHeaders bob = ds.getRecipientDSN(0);
        assertEquals("rfc822; bob@example.org", bob.getHeader("Final-Recipient", null));
        assertEquals("rfc822;carol@example.net", bob.getHeader("Original-Recipient", null));
        assertEquals("failed", bob.getHeader("Action", null));

        InternetHeaders dave = ds.getRecipientDSN(1);
        assertEquals("rfc822; dave@example.net", dave.getHeader("Final-Recipient", null));
        assertNull(dave.getHeader("Original-Recipient"));
        assertEquals("failed", dave.getHeader("Action", null));
        assertEquals("5.4.4", dave.getHeader("Status", null));
        assertNull(dave.getHeader("Remote-MTA"));
        assertNull(dave.getHeader("Diagnostic-Code"));
        assertNull(dave.getHeader("Last-Attempt-Date"));

        InternetHeaders erin = ds.getRecipientDSN(2);
        assertEquals("delayed", erin.getHeader("Action", null));
        assertEquals("4.4.1", erin.getHeader("Status", null));
        assertEquals(UNTIL, date(erin.getHeader("Will-Retry-Until", null)));

        String text = text(report);
        assertTrue(text.contains("<bob@example.org> (failed): host mx.example.org said: 550 5.1.1 No such user"),
                text);
        assertTrue(text.contains("<dave@example.net> (failed): status 5.4.4"), text);
        assertTrue(text.contains("<erin@example.com> (delayed): host mx.example.com said: 421 4.4.1 Try again"),
                text);
    }

    @Test
    void delayWithWillRetryUntil() throws Exception {
        DsnRecipient bob = new DsnRecipient("bob@example.org", null, null, null, "mx.example.org",
                "451 4.3.0 Mailbox temporarily unavailable", ATTEMPT, UNTIL);
        byte[] dsn = builder.build(DsnKind.DELAY, ORIGINAL, "alice@example.com", null, "FULL", ARRIVAL,
                List.of(bob));

        assertCrlfOnly(dsn);
        MimeMessage m = parse(dsn);
        assertEquals("Delayed Mail (still being retried)", m.getSubject());
        assertEquals("auto-replied", m.getHeader("Auto-Submitted", null));
        Multipart report = report(m);
        assertEquals(3, report.getCount());
        assertType("text/rfc822-headers", report.getBodyPart(2));
        InternetHeaders r = deliveryStatus(report).getRecipientDSN(0);
        assertEquals("delayed", r.getHeader("Action", null));
        assertEquals("4.0.0", r.getHeader("Status", null));
        assertEquals(UNTIL, date(r.getHeader("Will-Retry-Until", null)));
        assertEquals(ATTEMPT, date(r.getHeader("Last-Attempt-Date", null)));

        String text = text(report);
        assertTrue(text.contains("THIS IS A WARNING ONLY"), text);
        assertTrue(text.contains("will retry until Sat, 9 Mar 2024 08:00:00 +0000."), text);
        assertTrue(text.contains("<bob@example.org> (delayed): host mx.example.org said: 451 4.3.0"), text);
    }

    @Test
    void success() throws Exception {
        List<DsnRecipient> recipients = List.of(
                new DsnRecipient("bob@example.org", "rfc822;bob@example.org", null, null, "mx.example.org",
                        "250 2.0.0 Ok: queued as 4Xyz", ATTEMPT, null),
                new DsnRecipient("carol@example.net", null, "relayed", "2.0.0", "mx.example.net",
                        "250 Ok", ATTEMPT, null));
        byte[] dsn = builder.build(DsnKind.SUCCESS, ORIGINAL, "alice@example.com", "env-1", "FULL", ARRIVAL,
                recipients);

        assertCrlfOnly(dsn);
        MimeMessage m = parse(dsn);
        assertEquals("Successful Mail Delivery Report", m.getSubject());
        Multipart report = report(m);
        assertType("text/rfc822-headers", report.getBodyPart(2));
        DeliveryStatus ds = deliveryStatus(report);
        assertEquals("delivered", ds.getRecipientDSN(0).getHeader("Action", null));
        assertEquals("2.0.0", ds.getRecipientDSN(0).getHeader("Status", null));
        assertEquals("relayed", ds.getRecipientDSN(1).getHeader("Action", null));
        String text = text(report);
        assertTrue(text.contains("successfully delivered"), text);
        assertTrue(text.contains("<bob@example.org> (delivered): host mx.example.org said: 250 2.0.0 Ok"), text);
    }

    @Test
    void retFullSmallReturnsTheOriginal() throws Exception {
        byte[] dsn = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, "FULL", ARRIVAL,
                List.of(failed("bob@example.org")));

        assertCrlfOnly(dsn);
        Multipart report = report(parse(dsn));
        BodyPart returned = report.getBodyPart(2);
        assertType("message/rfc822", returned);
        assertArrayEquals(ORIGINAL, raw(returned));
        MimeMessage inner = (MimeMessage) returned.getContent();
        assertEquals("Lunch", inner.getSubject());
        assertTrue(text(report).contains("The message is attached below."));
    }

    @Test
    void retFullUpToTheLimitInclusive() throws Exception {
        DsnBuilder exact = new DsnBuilder(HOST, ORIGINAL.length);
        Multipart report = report(parse(exact.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, "full",
                ARRIVAL, List.of(failed("bob@example.org")))));
        assertType("message/rfc822", report.getBodyPart(2));
    }

    @Test
    void retFullBigReturnsHeadersOnly() throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            body.append("line ").append(i).append(" of a long message\r\n");
        }
        byte[] big = (HEADERS + "\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        assertTrue(big.length > DsnBuilder.DEFAULT_MAX_RETURNED_SIZE);
        byte[] dsn = builder.build(DsnKind.FAILURE, big, "alice@example.com", null, "FULL", ARRIVAL,
                List.of(failed("bob@example.org")));

        assertCrlfOnly(dsn);
        assertTrue(dsn.length < DsnBuilder.DEFAULT_MAX_RETURNED_SIZE, "length " + dsn.length);
        Multipart report = report(parse(dsn));
        assertType("text/rfc822-headers", report.getBodyPart(2));
        assertEquals(HEADERS + "\r\n", new String(raw(report.getBodyPart(2)), StandardCharsets.US_ASCII));
        assertTrue(text(report).contains("too large to be returned in full"));
    }

    @Test
    void retAbsentOrHdrsReturnsHeadersOnly() throws Exception {
        for (String ret : Arrays.asList(null, "HDRS", "bogus")) {
            byte[] dsn = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, ret, ARRIVAL,
                    List.of(failed("bob@example.org")));
            assertCrlfOnly(dsn);
            Multipart report = report(parse(dsn));
            assertEquals(3, report.getCount());
            BodyPart headers = report.getBodyPart(2);
            assertType("text/rfc822-headers", headers);
            assertEquals(HEADERS + "\r\n", new String(raw(headers), StandardCharsets.US_ASCII), "RET=" + ret);
            assertFalse(new String(raw(headers), StandardCharsets.US_ASCII).contains("noon"));
        }
    }

    @Test
    void crLfInjectionStaysOnOneLine() throws Exception {
        DsnRecipient evil = new DsnRecipient("bob@example.org\r\nBcc: victim@example.net",
                "rfc822;bob@example.org\nX-Evil: 1", "failed", "5.1.1", "mx.example.org\r\nX-Evil: 2",
                "550 5.1.1 No such user\r\nBcc: victim@example.net\r\n\r\nInjected body", ATTEMPT, null);
        byte[] dsn = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com\r\nBcc: victim@example.net",
                "id\r\nX-Evil: 3", null, ARRIVAL, List.of(evil));

        assertCrlfOnly(dsn);
        MimeMessage m = parse(dsn);
        assertNull(m.getHeader("Bcc"));
        assertEquals("<alice@example.com Bcc: victim@example.net>", m.getHeader("To", null));

        Multipart report = report(m);
        DeliveryStatus ds = deliveryStatus(report);
        assertEquals(1, ds.getRecipientDSNCount());
        assertEquals("id X-Evil: 3", ds.getMessageDSN().getHeader("Original-Envelope-Id", null));
        assertNull(ds.getMessageDSN().getHeader("X-Evil"));
        InternetHeaders r = ds.getRecipientDSN(0);
        assertNull(r.getHeader("Bcc"));
        assertNull(r.getHeader("X-Evil"));
        assertEquals("rfc822; bob@example.org Bcc: victim@example.net",
                MimeUtility.unfold(r.getHeader("Final-Recipient", null)));
        assertEquals("rfc822;bob@example.org X-Evil: 1", r.getHeader("Original-Recipient", null));
        assertEquals("dns; mx.example.org X-Evil: 2", r.getHeader("Remote-MTA", null));
        assertEquals("smtp; 550 5.1.1 No such user Bcc: victim@example.net Injected body",
                MimeUtility.unfold(r.getHeader("Diagnostic-Code", null)));
        for (String line : partText(report.getBodyPart(1)).split("\r\n")) {
            assertTrue(line.isEmpty() || line.startsWith(" ") || line.matches("[A-Za-z-]+: .*")
                    && !line.startsWith("Bcc") && !line.startsWith("X-Evil"), line);
        }
    }

    @Test
    void eightBitOriginalRoundTrips() throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes("From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.com>\r\nSubject: Gr".getBytes(StandardCharsets.US_ASCII));
        o.writeBytes("\u00fc\u00dfe \u2603".getBytes(StandardCharsets.UTF_8));
        o.writeBytes("\r\nX-Latin1: caf".getBytes(StandardCharsets.US_ASCII));
        o.write(0xE9);
        o.writeBytes("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        o.writeBytes("Gr\u00fc\u00dfe aus K\u00f6ln \u20ac\r\n".getBytes(StandardCharsets.UTF_8));
        o.write(0xFF);
        o.write(0x80);
        o.write(0x00);
        o.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] original = o.toByteArray();

        byte[] dsn = builder.build(DsnKind.FAILURE, original, "alice@example.com", null, "FULL", ARRIVAL,
                List.of(failed("bob@example.org")));
        assertCrlfOnly(dsn);
        MimeMessage m = parse(dsn);
        assertEquals("8bit", m.getHeader("Content-Transfer-Encoding", null));
        BodyPart returned = report(m).getBodyPart(2);
        assertType("message/rfc822", returned);
        assertEquals("8bit", returned.getHeader("Content-Transfer-Encoding")[0]);
        assertArrayEquals(original, raw(returned));

        byte[] headersOnly = builder.build(DsnKind.FAILURE, original, "alice@example.com", null, null, ARRIVAL,
                List.of(failed("bob@example.org")));
        assertCrlfOnly(headersOnly);
        BodyPart headers = report(parse(headersOnly)).getBodyPart(2);
        assertType("text/rfc822-headers", headers);
        assertEquals("8bit", headers.getHeader("Content-Transfer-Encoding")[0]);
        int end = indexOf(original, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(Arrays.copyOf(original, end + 4), raw(headers));
    }

    @Test
    void sevenBitReportHasNoEightBitLabel() throws Exception {
        MimeMessage m = parse(builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, "FULL", ARRIVAL,
                List.of(failed("bob@example.org"))));
        assertNull(m.getHeader("Content-Transfer-Encoding"));
        assertNull(report(m).getBodyPart(2).getHeader("Content-Transfer-Encoding"));
    }

    @Test
    void originalWithoutBlankLineIsAllHeaders() throws Exception {
        byte[] noBody = HEADERS.getBytes(StandardCharsets.US_ASCII);
        byte[] dsn = builder.build(DsnKind.FAILURE, noBody, "alice@example.com", null, null, ARRIVAL,
                List.of(failed("bob@example.org")));
        assertCrlfOnly(dsn);
        BodyPart headers = report(parse(dsn)).getBodyPart(2);
        assertType("text/rfc822-headers", headers);
        assertEquals(HEADERS + "\r\n", new String(raw(headers), StandardCharsets.US_ASCII));

        byte[] full = builder.build(DsnKind.FAILURE, noBody, "alice@example.com", null, "FULL", ARRIVAL,
                List.of(failed("bob@example.org")));
        assertCrlfOnly(full);
        BodyPart returned = report(parse(full)).getBodyPart(2);
        assertType("message/rfc822", returned);
        assertArrayEquals(noBody, raw(returned));
    }

    @Test
    void bareLineEndsOfTheOriginalBecomeCrlf() throws Exception {
        byte[] lf = "Subject: Lunch\nFrom: a@example.com\n\nline one\nline two\rline three"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] dsn = builder.build(DsnKind.FAILURE, lf, "alice@example.com", null, "FULL", ARRIVAL,
                List.of(failed("bob@example.org")));
        assertCrlfOnly(dsn);
        assertEquals("Subject: Lunch\r\nFrom: a@example.com\r\n\r\nline one\r\nline two\r\nline three",
                new String(raw(report(parse(dsn)).getBodyPart(2)), StandardCharsets.US_ASCII));
    }

    @Test
    void emptyOriginalGivesTwoParts() throws Exception {
        byte[] dsn = builder.build(DsnKind.FAILURE, new byte[0], "alice@example.com", null, "FULL", ARRIVAL,
                List.of(failed("bob@example.org")));
        assertCrlfOnly(dsn);
        Multipart report = report(parse(dsn));
        assertEquals(2, report.getCount());
        assertType("message/delivery-status", report.getBodyPart(1));
    }

    @Test
    void longDiagnosticIsFoldedAndUnfoldsToTheReply() throws Exception {
        String reply = "550 5.7.1 Service unavailable; client host [192.0.2.1] blocked using zen.example.net;"
                + " see https://www.example.net/query/ip/192.0.2.1 for details and removal";
        byte[] dsn = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, null, ARRIVAL,
                List.of(new DsnRecipient("bob@example.org", null, "failed", "5.7.1", "mx.example.org", reply,
                        ATTEMPT, null)));
        assertCrlfOnly(dsn);
        Multipart report = report(parse(dsn));
        for (String line : partText(report.getBodyPart(1)).split("\r\n")) {
            assertTrue(line.length() <= 78, line);
        }
        for (String line : ((String) report.getBodyPart(0).getContent()).split("\r\n")) {
            assertTrue(line.length() <= DsnText.WIDTH, line);
        }
        String diagnostic = deliveryStatus(report).getRecipientDSN(0).getHeader("Diagnostic-Code", null);
        assertTrue(diagnostic.contains("\r\n"), diagnostic);
        assertEquals("smtp; " + reply, MimeUtility.unfold(diagnostic));
    }

    @Test
    void everyReportHasItsOwnMessageId() throws Exception {
        byte[] a = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, null, ARRIVAL,
                List.of(failed("bob@example.org")));
        byte[] b = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, null, ARRIVAL,
                List.of(failed("bob@example.org")));
        assertNotEquals(parse(a).getMessageID(), parse(b).getMessageID());
    }

    @Test
    void nullArrivalLeavesArrivalDateOut() throws Exception {
        byte[] dsn = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, null, null,
                List.of(failed("bob@example.org")));
        assertNull(deliveryStatus(report(parse(dsn))).getMessageDSN().getHeader("Arrival-Date"));
    }

    @Test
    void rejectsWhatNoReportMayHold() {
        List<DsnRecipient> one = List.of(failed("bob@example.org"));
        assertThrows(IllegalArgumentException.class,
                () -> builder.build(DsnKind.FAILURE, ORIGINAL, "", null, null, ARRIVAL, one));
        assertThrows(IllegalArgumentException.class,
                () -> builder.build(DsnKind.FAILURE, ORIGINAL, "<>", null, null, ARRIVAL, one));
        assertThrows(IllegalArgumentException.class,
                () -> builder.build(DsnKind.FAILURE, ORIGINAL, null, null, null, ARRIVAL, one));
        assertThrows(IllegalArgumentException.class,
                () -> builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, null, ARRIVAL, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, null, ARRIVAL,
                        List.of(new DsnRecipient("bob@example.org", null, "bounced", "5.1.1", null, null, null,
                                null))));
        assertThrows(IllegalArgumentException.class,
                () -> builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, null, ARRIVAL,
                        List.of(new DsnRecipient("bob@example.org", null, "failed", "550", null, null, null,
                                null))));
        assertThrows(IllegalArgumentException.class,
                () -> builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, null, ARRIVAL,
                        List.of(new DsnRecipient("\r\n", null, "failed", "5.1.1", null, null, null, null))));
        assertThrows(NullPointerException.class,
                () -> new DsnRecipient(null, null, null, null, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new DsnBuilder("mail.example.org\r\nBcc: x", 1));
        assertThrows(IllegalArgumentException.class, () -> new DsnBuilder("Mail Delivery <x>", 1));
        assertThrows(IllegalArgumentException.class, () -> new DsnBuilder(HOST, -1));
    }

    @Test
    void contentHandlersAreAddedWhereTheMailcapFilesAreMissing() throws Exception {
        MailcapCommandMap bare = bareCommandMap();
        List<String> types = List.of("multipart/report", "message/delivery-status", "text/rfc822-headers",
                "text/plain", "message/rfc822");
        int missing = 0;
        for (String type : types) {
            missing += bare.createDataContentHandler(type) == null ? 1 : 0;
        }
        assertNull(bare.createDataContentHandler("message/delivery-status"));
        assertNull(bare.createDataContentHandler("text/rfc822-headers"));

        assertEquals(missing, DsnContentHandlers.complete(bare));
        for (String type : types) {
            assertNotNull(bare.createDataContentHandler(type), type);
        }
        assertEquals(0, DsnContentHandlers.complete(bare));
        assertEquals(0, DsnContentHandlers.complete(DsnContentHandlers.commandMap()));
    }

    @Test
    void buildsWhenTheDefaultCommandMapLacksTheHandlers() throws Exception {
        MailcapCommandMap bare = bareCommandMap();
        assertNull(bare.createDataContentHandler("message/delivery-status"));
        byte[] full;
        byte[] headers;
        CommandMap.setDefaultCommandMap(bare);
        try {
            full = builder.build(DsnKind.FAILURE, ORIGINAL, "alice@example.com", null, "FULL", ARRIVAL,
                    List.of(failed("bob@example.org")));
            headers = builder.build(DsnKind.DELAY, ORIGINAL, "alice@example.com", null, null, ARRIVAL,
                    List.of(failed("bob@example.org")));
        } finally {
            CommandMap.setDefaultCommandMap(null);
        }
        assertCrlfOnly(full);
        Multipart report = report(parse(full));
        assertEquals("failed", deliveryStatus(report).getRecipientDSN(0).getHeader("Action", null));
        assertArrayEquals(ORIGINAL, raw(report.getBodyPart(2)));
        assertCrlfOnly(headers);
        assertEquals(HEADERS + "\r\n", partText(report(parse(headers)).getBodyPart(2)));
    }

    /** A command map read with a context class loader that sees no mailcap file, as in a badly shaded jar. */
    private static MailcapCommandMap bareCommandMap() throws IOException {
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        try (URLClassLoader nothing = new URLClassLoader(new URL[0], null)) {
            thread.setContextClassLoader(nothing);
            return new MailcapCommandMap();
        } finally {
            thread.setContextClassLoader(saved);
        }
    }

    private static DsnRecipient failed(String address) {
        return new DsnRecipient(address, null, "failed", "5.1.1", "mx.example.org", "550 5.1.1 No such user",
                ATTEMPT, null);
    }

    private static MimeMessage parse(byte[] dsn) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(dsn));
    }

    private static Multipart report(MimeMessage m) throws MessagingException, IOException {
        ContentType type = new ContentType(m.getContentType());
        assertTrue(type.match("multipart/report"), type.toString());
        assertEquals("delivery-status", type.getParameter("report-type"));
        return (Multipart) m.getContent();
    }

    private static DeliveryStatus deliveryStatus(Multipart report) throws MessagingException, IOException {
        return new DeliveryStatus(report.getBodyPart(1).getInputStream());
    }

    /** The human-readable part with line breaks and runs of spaces made one space, so wrapping does not matter. */
    private static String text(Multipart report) throws MessagingException, IOException {
        return ((String) report.getBodyPart(0).getContent()).replaceAll("\\s+", " ");
    }

    private static void assertType(String expected, BodyPart part) throws MessagingException {
        assertTrue(part.isMimeType(expected), expected + " but was " + part.getContentType());
    }

    private static byte[] raw(BodyPart part) throws MessagingException, IOException {
        return ((MimeBodyPart) part).getRawInputStream().readAllBytes();
    }

    private static String partText(BodyPart part) throws MessagingException, IOException {
        return new String(raw(part), StandardCharsets.US_ASCII);
    }

    private static Instant date(String value) throws java.text.ParseException {
        return new MailDateFormat().parse(value).toInstant();
    }

    private static int indexOf(byte[] data, byte[] what) {
        for (int i = 0; i + what.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }

    private static void assertCrlfOnly(byte[] data) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n') {
                assertTrue(i > 0 && data[i - 1] == '\r', "bare LF at " + i);
            } else if (data[i] == '\r') {
                assertTrue(i + 1 < data.length && data[i + 1] == '\n', "bare CR at " + i);
            }
        }
    }
}
