package io.camelsmtp.smtp.common;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import jakarta.mail.MessagingException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz tests for the parsers of common (Jazzer). In a normal build they run in regression mode over the committed
 * inputs in {@code src/test/resources/io/camelsmtp/smtp/common/ParsersFuzzTestInputs/<method>/}; to fuzz, see
 * docs/security.md ("Fuzzing").
 */
class ParsersFuzzTest {

    private static final CamelContext CONTEXT = new DefaultCamelContext();

    /** xtext: any string round-trips; decoding arbitrary text never throws, and what it accepts re-encodes to xtext. */
    @FuzzTest(maxDuration = "30s")
    void xtext(FuzzedDataProvider data) {
        String any = data.consumeString(300);
        assertEquals(any, Xtext.decode(Xtext.encode(any)));
        String text = data.consumeRemainingAsAsciiString();
        String decoded = Xtext.decode(text);
        if (decoded != null) {
            String again = Xtext.encode(decoded);
            assertTrue(again.chars().allMatch(c -> c >= 33 && c <= 126 && c != '='), again);
        }
    }

    /**
     * A reply line: either an IllegalArgumentException or a reply whose wire form has a valid code on every line and
     * no line end other than the CRLF between lines (so a parsed reply can never smuggle a second reply or command).
     */
    @FuzzTest(maxDuration = "30s")
    void smtpReply(FuzzedDataProvider data) {
        String line = new String(data.consumeRemainingAsBytes(), StandardCharsets.ISO_8859_1);
        SmtpReply reply;
        try {
            reply = SmtpReply.parse(line);
        } catch (IllegalArgumentException e) {
            return;
        }
        assertTrue(reply.code() >= 200 && reply.code() <= 599);
        for (String l : reply.toString().split("\r\n", -1)) {
            assertTrue(l.startsWith(Integer.toString(reply.code())), l);
            assertFalse(l.indexOf('\r') >= 0 || l.indexOf('\n') >= 0, l);
        }
    }

    /**
     * An Exchange from an untrusted bridge (an HTTP body, a Kafka record): arbitrary body octets, maybe envelope
     * headers, maybe Subject/From/To. MessageFactory either refuses it (IllegalArgumentException, a mail parsing
     * exception) or returns an envelope whose every address has no space, angle bracket or line end, so nothing it
     * returns can break an SMTP command line.
     */
    @FuzzTest(maxDuration = "60s")
    void messageFactory(FuzzedDataProvider data) throws Exception {
        Exchange exchange = new DefaultExchange(CONTEXT);
        if (data.consumeBoolean()) {
            exchange.getMessage().setHeader(SmtpEnvelopeHeaders.ENVELOPE_FROM, data.consumeString(80));
        }
        if (data.consumeBoolean()) {
            List<String> to = new ArrayList<>();
            int n = data.consumeInt(0, 4);
            for (int i = 0; i < n; i++) {
                to.add(data.consumeString(80));
            }
            exchange.getMessage().setHeader(SmtpEnvelopeHeaders.ENVELOPE_TO, data.consumeBoolean() ? to : String.join(",", to));
        }
        for (String h : new String[] { "Subject", "From", "To" }) {
            if (data.consumeBoolean()) {
                exchange.getMessage().setHeader(h, data.consumeString(80));
            }
        }
        exchange.getMessage().setBody(data.consumeRemainingAsBytes());
        MessageFactory.Prepared prepared;
        try {
            prepared = MessageFactory.create(exchange);
        } catch (IllegalArgumentException | MessagingException e) {
            return;
        } catch (RuntimeException e) {
            if (e.getCause() instanceof MessagingException) {
                return;
            }
            throw e;
        }
        Envelope envelope = prepared.deliverable();
        List<String> addresses = new ArrayList<>(envelope.addresses());
        addresses.add(envelope.sender());
        for (String a : addresses) {
            assertTrue(a.chars().noneMatch(c -> c == '\r' || c == '\n' || c == ' ' || c == '<' || c == '>'), a);
        }
        assertTrue(prepared.content().size() >= 0);
    }
}
