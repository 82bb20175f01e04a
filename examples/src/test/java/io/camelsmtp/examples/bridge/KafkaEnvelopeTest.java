package io.camelsmtp.examples.bridge;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.KafkaHeaderFilterStrategy;
import org.apache.camel.component.kafka.serde.DefaultKafkaHeaderSerializer;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The envelope's trip through Kafka record headers: written the way camel-kafka's producer writes them (its header
 * filter and serializer), read back from the record's {@code Headers} the way the consumer hands them over.
 */
class KafkaEnvelopeTest {

    private final CamelContext context = new DefaultCamelContext();
    private final KafkaEnvelope envelope = new KafkaEnvelope();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    /** What camel-kafka's producer would put on the record for these Camel headers. */
    private Headers recordHeaders(Exchange exchange) {
        KafkaHeaderFilterStrategy filter = new KafkaHeaderFilterStrategy();
        DefaultKafkaHeaderSerializer serializer = new DefaultKafkaHeaderSerializer();
        serializer.setCamelContext(context);
        RecordHeaders headers = new RecordHeaders();
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (!filter.applyFilterToCamelHeaders(name, value, exchange)) {
                byte[] bytes = serializer.serialize(name, value);
                if (bytes != null) {
                    headers.add(name, bytes);
                }
            }
        });
        return headers;
    }

    private static String text(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private Exchange received() {
        Exchange exchange = new DefaultExchange(context);
        Map<String, Object> h = exchange.getMessage().getHeaders();
        h.put("CamelSmtpEnvelopeFrom", "alice@example.org");
        h.put("CamelSmtpEnvelopeTo", List.of("bob@example.net", "\"smith, john\"@example.com"));
        h.put("CamelSmtpMessageId", "19AE9F0C3A1B2C0042");
        h.put("CamelSmtpHelo", "client.test");
        h.put("CamelSmtpRemoteAddress", "127.0.0.1");
        h.put("CamelSmtpLocalPort", 2525);
        h.put("CamelSmtpMessageSize", 1234L);
        h.put("CamelSmtpUtf8", true);
        h.put("CamelSmtpRequireTlsOption", true);
        h.put("CamelSmtpBodyType", "8BITMIME");
        h.put("CamelSmtpDsnNotify", Arrays.asList(null, "SUCCESS,FAILURE"));
        h.put("CamelSmtpAuthenticatedUser", null);
        h.put("CamelSmtpStage", "data");
        exchange.getMessage().setBody("Subject: hi\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII));
        return exchange;
    }

    @Test
    void envelopeBecomesUtf8RecordHeadersWithJsonLists() throws Exception {
        Exchange exchange = received();
        envelope.toKafka(exchange);
        Headers headers = recordHeaders(exchange);

        assertEquals("alice@example.org", text(headers, "SmtpEnvelopeFrom"));
        assertEquals("[\"bob@example.net\",\"\\\"smith, john\\\"@example.com\"]", text(headers, "SmtpEnvelopeTo"));
        assertEquals("19AE9F0C3A1B2C0042", text(headers, "SmtpMessageId"));
        assertEquals("client.test", text(headers, "SmtpHelo"));
        assertEquals("127.0.0.1", text(headers, "SmtpRemoteAddress"));
        assertEquals("2525", text(headers, "SmtpLocalPort"));
        assertEquals("1234", text(headers, "SmtpMessageSize"));
        assertEquals("true", text(headers, "SmtpUtf8"));
        assertEquals("true", text(headers, "SmtpRequireTlsOption"));
        assertEquals("8BITMIME", text(headers, "SmtpBodyType"));
        assertEquals("[null,\"SUCCESS,FAILURE\"]", text(headers, "SmtpDsnNotify"));
        assertNull(headers.lastHeader("SmtpAuthenticatedUser"), "a null value is not written");
        assertNull(headers.lastHeader("SmtpStage"), "only the envelope and the session facts travel");
        for (var header : headers) {
            assertFalse(header.key().startsWith("Camel"), "camel-kafka drops Camel headers: " + header.key());
        }
    }

    @Test
    void recordHeadersBecomeTheEnvelopeAgainWithTheirTypes() throws Exception {
        Exchange sent = received();
        envelope.toKafka(sent);
        Headers headers = recordHeaders(sent);

        Exchange consumed = new DefaultExchange(context);
        consumed.getMessage().setHeader(KafkaConstants.HEADERS, headers);
        consumed.getMessage().setHeader("SmtpEnvelopeFrom", "alice@example.org".getBytes(StandardCharsets.UTF_8));
        envelope.fromKafka(consumed);

        var in = consumed.getMessage();
        assertEquals("alice@example.org", in.getHeader("CamelSmtpEnvelopeFrom"));
        assertEquals(List.of("bob@example.net", "\"smith, john\"@example.com"), in.getHeader("CamelSmtpEnvelopeTo"));
        assertEquals("19AE9F0C3A1B2C0042", in.getHeader("CamelSmtpMessageId"));
        assertEquals("client.test", in.getHeader("CamelSmtpHelo"));
        assertEquals(2525, in.getHeader("CamelSmtpLocalPort"));
        assertEquals(1234L, in.getHeader("CamelSmtpMessageSize"));
        assertEquals(Boolean.TRUE, in.getHeader("CamelSmtpUtf8"));
        assertEquals(Boolean.TRUE, in.getHeader("CamelSmtpRequireTlsOption"), "REQUIRETLS survives the topic");
        assertEquals("8BITMIME", in.getHeader("CamelSmtpBodyType"));
        assertEquals(Arrays.asList(null, "SUCCESS,FAILURE"), in.getHeader("CamelSmtpDsnNotify"));
        assertFalse(in.getHeaders().containsKey("CamelSmtpAuthenticatedUser"));
        assertFalse(in.getHeaders().containsKey("SmtpEnvelopeFrom"), "the record-header copies are removed");
    }

    @Test
    void nullSenderSurvivesTheTrip() throws Exception {
        Exchange sent = received();
        sent.getMessage().setHeader("CamelSmtpEnvelopeFrom", "");
        envelope.toKafka(sent);
        Headers headers = recordHeaders(sent);
        assertEquals("", text(headers, "SmtpEnvelopeFrom"));

        Exchange consumed = new DefaultExchange(context);
        consumed.getMessage().setHeader(KafkaConstants.HEADERS, headers);
        envelope.fromKafka(consumed);
        assertEquals("", consumed.getMessage().getHeader("CamelSmtpEnvelopeFrom"));
    }

    @Test
    void recordWithoutAnEnvelopeIsRefused() {
        Exchange consumed = new DefaultExchange(context);
        RecordHeaders headers = new RecordHeaders();
        headers.add("SmtpEnvelopeFrom", "alice@example.org".getBytes(StandardCharsets.UTF_8));
        consumed.getMessage().setHeader(KafkaConstants.HEADERS, headers);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> envelope.fromKafka(consumed));
        assertTrue(e.getMessage().contains("SmtpEnvelopeTo"), e.getMessage());

        Exchange noHeaders = new DefaultExchange(context);
        assertThrows(IllegalArgumentException.class, () -> envelope.fromKafka(noHeaders));
    }

    /** A record with these headers, as the consumer hands it over (also as Camel headers, as camel-kafka does). */
    private Exchange consumed(Map<String, String> recordHeaders) {
        Exchange consumed = new DefaultExchange(context);
        RecordHeaders headers = new RecordHeaders();
        recordHeaders.forEach((name, value) -> {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
            consumed.getMessage().setHeader(name, value.getBytes(StandardCharsets.UTF_8));
        });
        consumed.getMessage().setHeader(KafkaConstants.HEADERS, headers);
        return consumed;
    }

    @Test
    void aRecordThatBreaksTheServersRulesIsRefusedAndLeavesTheHeadersAsTheyWere() {
        Map<String, String> good = Map.of("SmtpEnvelopeFrom", "alice@example.org",
                "SmtpEnvelopeTo", "[\"bob@example.net\"]");
        Object[][] bad = {
            {"SmtpEnvelopeFrom", "alice@example.org\r\nRCPT TO:<mallory@example.com>", "control character"},
            {"SmtpEnvelopeTo", "[\"bob@example.net\", \"mallory\"]", "bad recipient address"},
            {"SmtpEnvelopeTo", "bob@example.net", "SmtpEnvelopeTo is not a JSON array of strings"},
            {"SmtpEnvelopeTo", "[{\"a\": 1}]", "SmtpEnvelopeTo is not a JSON array of strings"},
            {"SmtpEnvelopeTo", "null", "SmtpEnvelopeTo is null"},
            {"SmtpDsnRet", "FULL\r\nRSET", "control character"},
            {"SmtpDsnNotify", "[\"SOMETIMES\"]", "is not NEVER or a list"},
            {"SmtpBodyType", "BINARYMIME", "is not 7BIT or 8BITMIME"},
            {"SmtpLocalPort", "25x", "SmtpLocalPort is not a number"},
            {"SmtpMessageSize", "", "SmtpMessageSize is not a number"},
            {"SmtpUtf8", "yes", "SmtpUtf8 is not true or false"},
            {"SmtpRequireTlsOption", "yes", "SmtpRequireTlsOption is not true or false"},
            {"SmtpRequireTlsOption", "TRUE", "SmtpRequireTlsOption is not true or false"},
            {"SmtpRequireTlsOption", "", "SmtpRequireTlsOption is not true or false"},
        };
        for (Object[] b : bad) {
            Map<String, String> record = new java.util.HashMap<>(good);
            record.put((String) b[0], (String) b[1]);
            Exchange consumed = consumed(record);
            Map<String, Object> before = new java.util.HashMap<>(consumed.getMessage().getHeaders());
            EnvelopeRules.InvalidEnvelope e = assertThrows(EnvelopeRules.InvalidEnvelope.class,
                    () -> envelope.fromKafka(consumed), b[0] + " = " + b[1]);
            assertTrue(e.getMessage().contains((String) b[2]), b[0] + " = " + b[1] + ": " + e.getMessage());
            assertEquals(before, consumed.getMessage().getHeaders(), "nothing set, nothing removed");
        }
    }

    @Test
    void deadLetterSaysWhyAndWhereAndCanDropTheValue() {
        Exchange consumed = consumed(Map.of("SmtpEnvelopeFrom", "x\r\ny"));
        consumed.getMessage().setHeader(KafkaConstants.TOPIC, "mail-inbound");
        consumed.getMessage().setHeader(KafkaConstants.PARTITION, 1);
        consumed.getMessage().setHeader(KafkaConstants.OFFSET, 42L);
        consumed.getMessage().setBody("Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
        EnvelopeRules.InvalidEnvelope e = assertThrows(EnvelopeRules.InvalidEnvelope.class,
                () -> envelope.fromKafka(consumed));
        consumed.setProperty(Exchange.EXCEPTION_CAUGHT, e);
        envelope.deadLetter(consumed);
        var in = consumed.getMessage();
        assertEquals(e.getMessage(), new String(in.getHeader("DeadLetterReason", byte[].class), StandardCharsets.UTF_8));
        assertEquals("mail-inbound/1@42", new String(in.getHeader("DeadLetterOrigin", byte[].class),
                StandardCharsets.UTF_8));
        assertEquals("x\r\ny", new String(in.getHeader("SmtpEnvelopeFrom", byte[].class), StandardCharsets.UTF_8),
                "the record's own headers go along as they were");

        envelope.dropValue(consumed);
        assertEquals(0, in.getBody(byte[].class).length);
        assertEquals("17", new String(in.getHeader("DeadLetterValueDropped", byte[].class), StandardCharsets.UTF_8));
    }

    @Test
    void commitNeedsManualCommitEnabled() {
        Exchange consumed = new DefaultExchange(context);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> envelope.commit(consumed));
        assertTrue(e.getMessage().contains("allowManualCommit"), e.getMessage());
    }
}
