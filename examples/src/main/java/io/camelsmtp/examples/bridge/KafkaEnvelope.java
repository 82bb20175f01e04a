package io.camelsmtp.examples.bridge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camelsmtp.examples.bridge.EnvelopeRules.InvalidEnvelope;
import io.camelsmtp.smtp.server.SmtpServerConstants;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Carries the envelope {@code smtp-server} puts on a message across a Kafka topic as record headers, and back.
 * camel-kafka drops every {@code Camel*} header on the way out and on the way in (so nobody outside can forge one),
 * and it can only write a single value per header; hence this mapping:
 * <ul>
 * <li>the record header is the Camel header's name without {@code Camel}: {@code CamelSmtpEnvelopeFrom} travels as
 * {@code SmtpEnvelopeFrom};</li>
 * <li>every value is UTF-8 text: strings as they are ({@code ""} for the null sender), numbers in decimal, booleans as
 * {@code true}/{@code false};</li>
 * <li>list values ({@code SmtpEnvelopeTo}, {@code SmtpDsnNotify}, {@code SmtpDsnOrcpt}) are a JSON array of strings,
 * in order, with {@code null} for a recipient without that DSN parameter: {@code ["bob@example.net","carol@example.net"]}.
 * JSON rather than a separator, because a quoted local part may hold commas and spaces;</li>
 * <li>a header whose value is null (no AUTH, no TLS, no DSN) is not written.</li>
 * </ul>
 * {@link #fromKafka} restores the Camel headers with their types (List, Integer, Long, Boolean), so the consuming route
 * can hand the message to {@code smtp-queue} or {@code smtp-relay} as if it came straight from {@code smtp-server}.
 * Whoever can write to the topic can therefore set an envelope: it is an internal transport, to be protected with
 * Kafka ACLs. And since that is not enough, every envelope read back is checked with smtp-server's rules
 * ({@link EnvelopeRules}) before any header is set: a record that breaks one is an {@link InvalidEnvelope}, which the
 * route sends to a dead-letter topic with the reason ({@link #deadLetter}), never to the queue.
 */
public class KafkaEnvelope {

    /** The prefix a record header name drops from the Camel header name. */
    private static final String CAMEL = "Camel";

    private static final List<String> TEXT = List.of(SmtpServerConstants.ENVELOPE_FROM, SmtpServerConstants.MESSAGE_ID,
            SmtpServerConstants.HELO, SmtpServerConstants.REMOTE_ADDRESS, SmtpServerConstants.LOCAL_ADDRESS,
            SmtpServerConstants.AUTHENTICATED_USER, SmtpServerConstants.TLS_PROTOCOL, SmtpServerConstants.TLS_CIPHER,
            SmtpServerConstants.SESSION_ID, SmtpServerConstants.BODY_TYPE, SmtpServerConstants.DSN_RET,
            SmtpServerConstants.DSN_ENVID);
    private static final List<String> LISTS = List.of(SmtpServerConstants.ENVELOPE_TO, SmtpServerConstants.DSN_NOTIFY,
            SmtpServerConstants.DSN_ORCPT);
    private static final Map<String, Class<?>> TYPED = Map.of(SmtpServerConstants.LOCAL_PORT, Integer.class,
            SmtpServerConstants.DECLARED_SIZE, Long.class, SmtpServerConstants.MESSAGE_SIZE, Long.class,
            SmtpServerConstants.UTF8, Boolean.class, SmtpServerConstants.REQUIRE_TLS_OPTION, Boolean.class);

    /** Record header of a dead-lettered record: why it could not be mail (one line, values escaped). */
    public static final String DEAD_LETTER_REASON = "DeadLetterReason";
    /** Record header of a dead-lettered record: where it was read, {@code topic/partition@offset}. */
    public static final String DEAD_LETTER_ORIGIN = "DeadLetterOrigin";
    /** Record header of a dead-lettered record sent without its value (too large): the value's size. */
    public static final String DEAD_LETTER_VALUE_DROPPED = "DeadLetterValueDropped";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };

    /** The record header name for a Camel header: without the "Camel" prefix. */
    public static String recordHeader(String camelHeader) {
        return camelHeader.substring(CAMEL.length());
    }

    /**
     * Before the kafka producer: sets one header per envelope header present, named and encoded as described above,
     * with a {@code byte[]} value (camel-kafka writes those as they are).
     */
    public void toKafka(Exchange exchange) throws JsonProcessingException {
        Message in = exchange.getMessage();
        for (String name : TEXT) {
            String value = in.getHeader(name, String.class);
            if (value != null) {
                in.setHeader(recordHeader(name), utf8(value));
            }
        }
        for (String name : TYPED.keySet()) {
            Object value = in.getHeader(name);
            if (value != null) {
                in.setHeader(recordHeader(name), utf8(value.toString()));
            }
        }
        for (String name : LISTS) {
            Object value = in.getHeader(name);
            if (value instanceof Collection<?> list) {
                List<String> strings = new ArrayList<>();
                for (Object o : list) {
                    strings.add(o == null ? null : o.toString());
                }
                in.setHeader(recordHeader(name), JSON.writeValueAsBytes(strings));
            }
        }
    }

    /**
     * After the kafka consumer: reads the record's headers ({@code CamelKafkaHeaders}), checks them with
     * {@link EnvelopeRules}, and only then sets the envelope's Camel headers with their types and removes the
     * {@code Smtp*} copies camel-kafka made. A record without a sender or recipients, with a value that does not parse
     * (a list that is not a JSON array of strings, a port that is not a number) or that breaks a rule is not mail this
     * route may deliver: {@link InvalidEnvelope}, and the exchange's headers are left as they were.
     */
    public void fromKafka(Exchange exchange) throws InvalidEnvelope {
        Message in = exchange.getMessage();
        Headers headers = in.getHeader(KafkaConstants.HEADERS, Headers.class);
        if (headers == null) {
            throw new InvalidEnvelope("no Kafka record headers (" + KafkaConstants.HEADERS + ")");
        }
        Map<String, Object> envelope = new LinkedHashMap<>();
        for (String name : TEXT) {
            String value = text(headers, name);
            if (value != null) {
                envelope.put(name, value);
            }
        }
        for (Map.Entry<String, Class<?>> e : TYPED.entrySet()) {
            String value = text(headers, e.getKey());
            if (value != null) {
                envelope.put(e.getKey(), parse(e.getKey(), value, e.getValue()));
            }
        }
        for (String name : LISTS) {
            String value = text(headers, name);
            if (value != null) {
                try {
                    List<String> list = JSON.readValue(value, STRING_LIST);
                    if (list == null) {
                        throw new InvalidEnvelope(recordHeader(name) + " is null, not a JSON array");
                    }
                    envelope.put(name, new ArrayList<>(list));
                } catch (JsonProcessingException e) {
                    throw new InvalidEnvelope(recordHeader(name) + " is not a JSON array of strings: "
                                              + EnvelopeRules.quote(e.getOriginalMessage()));
                }
            }
        }
        if (!envelope.containsKey(SmtpServerConstants.ENVELOPE_FROM)
            || !envelope.containsKey(SmtpServerConstants.ENVELOPE_TO)) {
            throw new InvalidEnvelope("record without an SMTP envelope: it needs the headers "
                                      + recordHeader(SmtpServerConstants.ENVELOPE_FROM) + " and "
                                      + recordHeader(SmtpServerConstants.ENVELOPE_TO));
        }
        EnvelopeRules.check(envelope);
        in.removeHeaders("Smtp*");
        envelope.forEach(in::setHeader);
    }

    /**
     * In the route's dead-letter branch, before the kafka producer: says why the record is not mail
     * ({@value #DEAD_LETTER_REASON}, from the caught exception) and where it came from ({@value #DEAD_LETTER_ORIGIN}).
     * The record's value, key and own headers go to the dead-letter topic as they were read.
     */
    public void deadLetter(Exchange exchange) {
        Message in = exchange.getMessage();
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = e == null || e.getMessage() == null ? String.valueOf(e) : e.getMessage();
        in.setHeader(DEAD_LETTER_REASON, utf8(reason.replaceAll("[\\x00-\\x1f\\x7f]", "?")));
        in.setHeader(DEAD_LETTER_ORIGIN, utf8(in.getHeader(KafkaConstants.TOPIC) + "/"
                                              + in.getHeader(KafkaConstants.PARTITION) + "@"
                                              + in.getHeader(KafkaConstants.OFFSET)));
    }

    /**
     * When the dead-lettered record is too large to be sent with the reason: replaces the value with nothing and says
     * so ({@value #DEAD_LETTER_VALUE_DROPPED}: the value's size in octets), so that the record's envelope and reason
     * still reach the dead-letter topic and the partition goes on.
     */
    public void dropValue(Exchange exchange) {
        Message in = exchange.getMessage();
        byte[] value = in.getBody(byte[].class);
        in.setHeader(DEAD_LETTER_VALUE_DROPPED, utf8(String.valueOf(value == null ? 0 : value.length)));
        in.setBody(new byte[0]);
    }

    /**
     * Commits the consumed record's offset (synchronously, camel-kafka's {@code allowManualCommit}): called once the
     * message is safe elsewhere, so a record is never marked done before that.
     */
    public void commit(Exchange exchange) {
        KafkaManualCommit commit = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit == null) {
            throw new IllegalStateException("no " + KafkaConstants.MANUAL_COMMIT + " header: the kafka consumer needs"
                                            + " allowManualCommit=true");
        }
        commit.commit();
    }

    private static String text(Headers headers, String camelHeader) {
        Header h = headers.lastHeader(recordHeader(camelHeader));
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Object parse(String name, String value, Class<?> type) {
        try {
            if (type == Integer.class) {
                return Integer.valueOf(value.trim());
            }
            if (type == Long.class) {
                return Long.valueOf(value.trim());
            }
        } catch (NumberFormatException e) {
            throw new InvalidEnvelope(recordHeader(name) + " is not a number: " + EnvelopeRules.quote(value));
        }
        if (!value.equals("true") && !value.equals("false")) {
            throw new InvalidEnvelope(recordHeader(name) + " is not true or false: " + EnvelopeRules.quote(value));
        }
        return Boolean.valueOf(value);
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
