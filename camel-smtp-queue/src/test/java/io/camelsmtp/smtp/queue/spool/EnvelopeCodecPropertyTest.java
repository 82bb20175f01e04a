package io.camelsmtp.smtp.queue.spool;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import io.camelsmtp.smtp.common.Envelope;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever the encoder writes, the decoder reads back exactly: random envelopes up to the limits (up to 1,000
 * recipients, UTF-8 addresses with 64-octet local parts and 255-octet domains, ORCPT, ENVID, NOTIFY, any header value
 * a route may set for BODY and RET) with random retry state (replies and last errors of up to 4,000 characters with
 * line ends and non-ASCII text, which are kept cut to {@link RetryState#MAX_REPLY_OCTETS} octets).
 */
class EnvelopeCodecPropertyTest {

    /** Letters, digits, the specials of a local part, xtext's own '+' and '=', and non-ASCII of 2, 3 and 4 octets. */
    private static final String ADDRESS_CHARS = "abcXYZ019.!#$%&'*+-/=?^_`{|}~\"(),:;<>@[\\]\u00e9\u00df\u4e2d\u6587";
    private static final String TEXT_CHARS = ADDRESS_CHARS + " \t\r\n\u00a0\u2028";

    @Property(tries = 40)
    void everyEncodedBlockDecodesToTheSameEntry(@ForAll("entries") SpoolEntry e) throws Exception {
        int n = e.recipients().size();
        Statistics.label("recipients").collect(n == 1 ? "1" : n <= 100 ? "2-100" : n < 1000 ? "101-999" : "1000");
        for (boolean withState : new boolean[] { true, false }) {
            byte[] block = EnvelopeCodec.encode(e, withState);
            EnvelopeCodec.Decoded d = EnvelopeCodec.decode(new ByteArrayInputStream(block), block.length);
            assertNotNull(d);
            assertEquals(block.length, d.length());
            SpoolEntry back = d.entry();
            assertEquals(e.id(), back.id());
            assertEquals(e.arrival(), back.arrival());
            assertEquals(e.kind(), back.kind());
            assertEquals(e.envelope(), back.envelope(), "sender, recipients with NOTIFY and ORCPT, BODY, SMTPUTF8, RET, ENVID, REQUIRETLS");
            assertEquals(e.size(), back.size());
            assertEquals(e.crc(), back.crc());
            RetryState.Snapshot want = e.retry().snapshot();
            RetryState.Snapshot got = back.retry().snapshot();
            for (int i = 0; i < e.recipients().size(); i++) {
                assertEquals(want.status(i), got.status(i));
                assertEquals(withState ? want.lastReply(i) : null, got.lastReply(i));
            }
            if (withState) {
                assertEquals(want.attempts(), got.attempts());
                assertEquals(want.nextAttempt(), got.nextAttempt());
                assertEquals(want.lastError(), got.lastError());
                assertEquals(want.held(), got.held());
                assertEquals(want.delayWarned(), got.delayWarned());
            }
        }
    }

    /** The largest block the queue writes: 1,000 recipients, every field at its longest, every octet escaped. */
    @Example
    void theLargestBlockReadsBack() throws Exception {
        String local = "\u4e2d".repeat(21) + "a"; // 64 octets
        String domain = String.join(".", java.util.Collections.nCopies(4, "\u00e9".repeat(31) + "b")); // 255 octets
        assertEquals(64, local.getBytes(StandardCharsets.UTF_8).length);
        assertEquals(255, domain.getBytes(StandardCharsets.UTF_8).length);
        List<Envelope.Recipient> rs = new java.util.ArrayList<>();
        String[] replies = new String[1000];
        RetryState.Status[] status = new RetryState.Status[1000];
        for (int i = 0; i < 1000; i++) {
            String a = String.format("%03d", i) + local.substring(3) + "@" + domain;
            rs.add(new Envelope.Recipient(a, "SUCCESS,FAILURE,DELAY", "utf-8;" + a));
            replies[i] = "450-4.2.0 " + "\u00e9".repeat(2000);
            status[i] = RetryState.Status.PENDING;
        }
        Envelope env = new Envelope(local + "@" + domain, rs, "8BITMIME", true, "FULL", "\u00e9".repeat(100), null);
        SpoolEntry e = new SpoolEntry("LARGEST", Instant.now(), SpoolEntry.Kind.MAIL, env, 1L << 30, 0xffffffffL,
                new RetryState(new RetryState.Snapshot(status, replies, 10_000, 0, replies[0], true, true)));
        byte[] block = EnvelopeCodec.encode(e, true);
        assertTrue(block.length > 4 << 20, "far past the old 1 MiB limit: " + block.length);
        SpoolEntry back = EnvelopeCodec.decode(new ByteArrayInputStream(block), block.length).entry();
        assertEquals(env.withQueueId("LARGEST"), back.envelope());
        assertEquals(RetryState.MAX_REPLY_OCTETS, back.retry().lastReply(999).getBytes(StandardCharsets.UTF_8).length);
        assertEquals(e.retry().lastError(), back.retry().lastError());
    }

    /** A record as the version before REQUIRETLS wrote it (no requiretls line) reads back, without the flag. */
    @Example
    void aRecordOfThePreviousFormatReadsBack() throws Exception {
        String head = "camel-smtp-queue: 1\nid: 4A3F0C2B9D1E7A6B5C\narrival: 2026-11-25T14:50:00.123Z\nkind: mail\n"
                      + "sender: alice@example.org\nsmtputf8: true\nret: HDRS\n"
                      + "recipient: bob@example.net state=pending notify=FAILURE,DELAY orcpt=rfc822;bob@example.net\n"
                      + "size: 000000004096\ncrc32: 89abcdef\n";
        byte[] block = withCheck(head);
        SpoolEntry e = EnvelopeCodec.decode(new ByteArrayInputStream(block), block.length).entry();
        assertEquals("alice@example.org", e.envelope().sender());
        assertTrue(e.envelope().utf8());
        assertFalse(e.envelope().requireTlsOption());
        assertEquals(head + "check: " + EnvelopeCodec.hex8(crc(head)) + "\n\n",
                new String(EnvelopeCodec.encode(e, false), StandardCharsets.UTF_8),
                "an entry without REQUIRETLS is written exactly as before");

        byte[] flagged = withCheck(head.replace("ret: HDRS\n", "ret: HDRS\nrequiretls: true\n"));
        assertTrue(EnvelopeCodec.decode(new ByteArrayInputStream(flagged), flagged.length).entry().envelope().requireTlsOption());
    }

    /** A requiretls line that does not say true or false is damage; salvage keeps the stricter reading. */
    @Example
    void aDamagedRequireTlsLineFailsClosed() throws Exception {
        String head = "camel-smtp-queue: 1\nid: X1\narrival: 2026-11-25T14:50:00Z\nkind: mail\nsender: a@example.org\n"
                      + "requiretls: maybe\nrecipient: b@example.net state=pending\nsize: 000000000010\ncrc32: 00000001\n";
        byte[] block = withCheck(head);
        assertThrows(CorruptSpoolException.class, () -> EnvelopeCodec.decode(new ByteArrayInputStream(block), block.length));
        assertTrue(EnvelopeCodec.salvage(block).requireTls);
        assertFalse(EnvelopeCodec.salvage(withCheck(head.replace("requiretls: maybe\n", ""))).requireTls);
    }

    private static long crc(String head) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(head.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }

    private static byte[] withCheck(String head) {
        return (head + "check: " + EnvelopeCodec.hex8(crc(head)) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    @Property(tries = 200)
    void repliesAreKeptCutOnACharacterBoundary(@ForAll("texts") String reply) {
        RetryState r = new RetryState(1, 0);
        r.decide(0, RetryState.Status.PENDING, reply);
        r.retryAt(1, reply);
        byte[] utf8 = reply.getBytes(StandardCharsets.UTF_8);
        String kept = r.lastReply(0);
        byte[] keptUtf8 = kept.getBytes(StandardCharsets.UTF_8);
        assertTrue(keptUtf8.length <= RetryState.MAX_REPLY_OCTETS, "at most the limit");
        assertTrue(keptUtf8.length > RetryState.MAX_REPLY_OCTETS - 4 || keptUtf8.length == utf8.length, "no more cut than needed");
        assertTrue(reply.startsWith(kept), "a prefix, whole characters only");
        String error = r.lastError();
        assertTrue(error.getBytes(StandardCharsets.UTF_8).length <= RetryState.MAX_REPLY_OCTETS);
        assertEquals(-1, error.indexOf('\n'), "one line");
        assertTrue(reply.replace('\r', ' ').replace('\n', ' ').startsWith(error));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withChars(TEXT_CHARS).withChars("\ud83d\udce7".toCharArray()).ofMaxLength(4000)
                .withLengthDistribution(RandomDistribution.uniform()).map(EnvelopeCodecPropertyTest::wholeSurrogates);
    }

    @Provide
    Arbitrary<SpoolEntry> entries() {
        Arbitrary<String> local = octets(ADDRESS_CHARS, 64);
        Arbitrary<String> domain = octets("abcdefghij0123456789-.\u00e9\u4e2d", 255);
        Arbitrary<String> address = Combinators.combine(local, domain).as((l, d) -> l + "@" + d);
        Arbitrary<String> notify = Arbitraries.of("NEVER", "SUCCESS", "FAILURE", "DELAY", "SUCCESS,FAILURE,DELAY",
                "FAILURE,DELAY").injectNull(0.3);
        Arbitrary<String> orcpt = address.map(a -> "rfc822;" + a).injectNull(0.5);
        Arbitrary<String> reply = texts().injectNull(0.5);
        Arbitrary<RetryState.Status> status = Arbitraries.of(RetryState.Status.class);
        Arbitrary<Tuple.Tuple5<String, String, String, RetryState.Status, String>> recipient =
                Combinators.combine(address, notify, orcpt, status, reply).as(Tuple::of);
        Arbitrary<List<Tuple.Tuple5<String, String, String, RetryState.Status, String>>> recipients =
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(1000)), Tuple.of(4, Arbitraries.integers().between(1, 1000)))
                        .flatMap(n -> recipient.list().ofSize(n));
        Arbitrary<String> sender = address.injectNull(0.1).map(s -> s == null ? "" : s);
        Arbitrary<String> header = Arbitraries.oneOf(Arbitraries.of("7BIT", "8BITMIME", "FULL", "HDRS"),
                octets(TEXT_CHARS, 40)).injectNull(0.3);
        Arbitrary<String> envid = octets(TEXT_CHARS, 100).injectNull(0.4);
        Arbitrary<Tuple.Tuple5<String, String, Boolean, String, String>> mail = Combinators.combine(sender, header,
                Arbitraries.of(true, false), header, envid).as(Tuple::of);
        Arbitrary<String> id = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(40);
        Arbitrary<Instant> instant = Arbitraries.longs().between(0, 4_102_444_800_000L).map(Instant::ofEpochMilli);
        Arbitrary<long[]> numbers = Combinators.combine(Arbitraries.longs().between(0, 999_999_999_999L),
                Arbitraries.longs().between(0, 0xffffffffL), Arbitraries.integers().between(0, 10_000))
                .as((size, crc, attempts) -> new long[] { size, crc, attempts });
        return Combinators.combine(id, instant, Arbitraries.of(SpoolEntry.Kind.class), mail, recipients, numbers,
                        reply, Arbitraries.of(true, false))
                .as((qid, arrival, kind, m, rs, n, error, flag) -> entry(qid, arrival, kind, m, rs, n, error, flag));
    }

    private static SpoolEntry entry(String id, Instant arrival, SpoolEntry.Kind kind,
                                    Tuple.Tuple5<String, String, Boolean, String, String> mail,
                                    List<Tuple.Tuple5<String, String, String, RetryState.Status, String>> rs, long[] n,
                                    String error, boolean flag) {
        Envelope envelope = new Envelope(mail.get1(), rs.stream().map(r -> new Envelope.Recipient(r.get1(), r.get2(), r.get3()))
                .toList(), mail.get2(), mail.get3(), mail.get4(), mail.get5(), null, arrival.toEpochMilli() % 3 == 0);
        RetryState retry = new RetryState(new RetryState.Snapshot(rs.stream().map(Tuple.Tuple5::get4).toArray(RetryState.Status[]::new),
                rs.stream().map(Tuple.Tuple5::get5).toArray(String[]::new), (int) n[2], arrival.toEpochMilli() + 300_000,
                error, flag, !flag));
        return new SpoolEntry(id, arrival, kind, envelope, n[0], n[1], retry);
    }

    /** Strings of these characters, at most {@code max} octets of UTF-8 (cut on a character boundary), not empty. */
    private static Arbitrary<String> octets(String chars, int max) {
        return Arbitraries.strings().withChars(chars).ofMinLength(1).ofMaxLength(max)
                .withLengthDistribution(RandomDistribution.uniform()).map(s -> {
                    while (s.getBytes(StandardCharsets.UTF_8).length > max) {
                        s = s.substring(0, s.length() - 1);
                    }
                    return s;
                });
    }

    /** A high surrogate without its low one is not text: drop such halves. */
    private static String wholeSurrogates(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    sb.append(c).append(s.charAt(++i));
                }
            } else if (!Character.isLowSurrogate(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
