package io.camelsmtp.smtp.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.support.InJvmDns;
import io.camelsmtp.smtp.relay.support.ScriptedPeer;
import org.apache.camel.Exchange;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A domain with many mail exchangers, none of which takes the mail, must not hold a delivery long: at most
 * {@code maxMxAddresses} (5) addresses and {@code maxMxSessions} (2) sessions per attempt, and a host's addresses are
 * looked up only when it is its turn (the in-JVM DNS counts the questions). Six MX hosts of two addresses each, every
 * address a {@link ScriptedPeer} on one port: on 127.0.1.x they greet with 421 (no session), on 127.0.2.x they
 * greet, take EHLO and defer the recipient (a session each).
 */
class RelayMxLimitsTest extends CamelTestSupport {

    private static final int HOSTS = 6;
    private static final List<ScriptedPeer> BUSY = new ArrayList<>();
    private static final List<ScriptedPeer> DEFERRING = new ArrayList<>();
    private static InJvmDns dns;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        for (int attempt = 0; attempt < 20 && BUSY.isEmpty(); attempt++) {
            try (ScriptedPeer probe = ScriptedPeer.start(InetAddress.getByName("127.0.1.1"), 0, s -> { })) {
                port = probe.port();
            }
            try {
                for (int i = 1; i <= 2 * HOSTS; i++) {
                    BUSY.add(ScriptedPeer.start(InetAddress.getByName("127.0.1." + i), port, s -> {
                        s.send("421 4.3.2 Busy, try later\r\n");
                    }));
                    DEFERRING.add(ScriptedPeer.start(InetAddress.getByName("127.0.2." + i), port, s -> {
                        s.send("220 deferring.test ESMTP\r\n");
                        s.serveMail("250 deferring.test\r\n", rcpt -> "451 4.7.1 Greylisted, try again later");
                    }));
                }
            } catch (IOException taken) {
                stopPeers();
            }
        }
        dns = new InJvmDns();
        for (int h = 1; h <= HOSTS; h++) {
            dns.add("busy.test. 0 IN MX " + 10 * h + " mx" + h + ".busy.test.")
                    .add("mx" + h + ".busy.test. 0 IN A 127.0.1." + (2 * h - 1))
                    .add("mx" + h + ".busy.test. 0 IN A 127.0.1." + 2 * h)
                    .add("deferring.test. 0 IN MX " + 10 * h + " mx" + h + ".deferring.test.")
                    .add("mx" + h + ".deferring.test. 0 IN A 127.0.2." + (2 * h - 1))
                    .add("mx" + h + ".deferring.test. 0 IN A 127.0.2." + 2 * h)
                    // the same addresses under other names, for the option test (look-ups counted per name)
                    .add("fewer.test. 0 IN MX " + 10 * h + " mx" + h + ".fewer.test.")
                    .add("mx" + h + ".fewer.test. 0 IN A 127.0.1." + (2 * h - 1))
                    .add("mx" + h + ".fewer.test. 0 IN A 127.0.1." + 2 * h)
                    .add("more.test. 0 IN MX " + 10 * h + " mx" + h + ".more.test.")
                    .add("mx" + h + ".more.test. 0 IN A 127.0.2." + (2 * h - 1))
                    .add("mx" + h + ".more.test. 0 IN A 127.0.2." + 2 * h);
        }
    }

    @AfterAll
    static void stop() {
        stopPeers();
        dns.close();
    }

    private static void stopPeers() {
        BUSY.forEach(ScriptedPeer::close);
        DEFERRING.forEach(ScriptedPeer::close);
        BUSY.clear();
        DEFERRING.clear();
    }

    private static int connections(List<ScriptedPeer> peers) {
        return peers.stream().mapToInt(ScriptedPeer::connections).sum();
    }

    private RecipientResult deferred(String uri, String to) {
        Exchange e = template.send(uri, x -> {
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
            x.getMessage().setBody("Subject: many\r\n\r\nhello\r\n");
        });
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        DeliveryReport report = x.getReport();
        RecipientResult r = report.get(to);
        assertEquals(Status.DEFERRED, r.getStatus(), r::toString);
        return r;
    }

    private static String relay(String options) {
        return "smtp-relay:mx?port=" + port + "&dnsServers=" + dns.server()
               + "&allowPrivateAddresses=true&tls=none&heloName=relay.test&connectTimeout=2s&commandTimeout=2s" + options;
    }

    /** Hosts that greet with 421 open no session: the address limit (5) ends the attempt, in the third host. */
    @Test
    void atMostFiveAddressesAreTriedAndOnlyTheirHostsLookedUp() {
        int before = connections(BUSY);
        RecipientResult r = deferred(relay(""), "a@busy.test");
        assertEquals(421, r.getCode(), r::toString);
        assertEquals("mx3.busy.test", r.getHost(), r::toString);
        assertEquals(5, connections(BUSY) - before, "maxMxAddresses=5");
        for (int h = 1; h <= 3; h++) {
            assertTrue(dns.queries("mx" + h + ".busy.test.", "A") > 0, "mx" + h + " looked up");
        }
        for (int h = 4; h <= HOSTS; h++) {
            assertEquals(0, dns.queries("mx" + h + ".busy.test."), "mx" + h + " never looked up");
        }
    }

    /** Hosts that take a session and defer: after two sessions the attempt ends, two hosts looked up. */
    @Test
    void atMostTwoSessionsAreOpened() {
        int before = connections(DEFERRING);
        RecipientResult r = deferred(relay(""), "a@deferring.test");
        assertEquals(451, r.getCode(), r::toString);
        assertEquals("4.7.1", r.getEnhancedStatus(), r::toString);
        assertEquals("mx2.deferring.test", r.getHost(), r::toString);
        assertEquals(2, connections(DEFERRING) - before, "maxMxSessions=2");
        for (int h = 3; h <= HOSTS; h++) {
            assertEquals(0, dns.queries("mx" + h + ".deferring.test."), "mx" + h + " never looked up");
        }
    }

    @Test
    void limitsAreOptions() {
        int before = connections(BUSY);
        deferred(relay("&maxMxAddresses=3"), "b@fewer.test");
        assertEquals(3, connections(BUSY) - before, "maxMxAddresses=3");

        before = connections(BUSY);
        deferred(relay("&maxMxAddresses=0&maxMxHosts=" + HOSTS), "c@fewer.test");
        assertEquals(2 * HOSTS, connections(BUSY) - before, "maxMxAddresses=0: no limit");

        int deferringBefore = connections(DEFERRING);
        deferred(relay("&maxMxSessions=4"), "d@more.test");
        assertEquals(4, connections(DEFERRING) - deferringBefore, "maxMxSessions=4");
    }
}
