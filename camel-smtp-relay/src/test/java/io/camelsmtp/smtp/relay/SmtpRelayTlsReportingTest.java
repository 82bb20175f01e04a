package io.camelsmtp.smtp.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import io.camelsmtp.smtp.relay.tlsrpt.TlsAttempt;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReportCollector;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The component's TLS reporter: off by default, started by its options, its counts kept across a restart. */
class SmtpRelayTlsReportingTest {

    @TempDir
    Path dir;

    private static CamelContext context(SmtpRelayConfiguration config) {
        CamelContext context = new DefaultCamelContext();
        SmtpRelayComponent relay = new SmtpRelayComponent();
        relay.setConfiguration(config);
        context.addComponent("smtp-relay", relay);
        return context;
    }

    private static SmtpRelayComponent relay(CamelContext context) {
        return context.getComponent("smtp-relay", SmtpRelayComponent.class);
    }

    @Test
    void offByDefault() throws Exception {
        try (CamelContext context = context(new SmtpRelayConfiguration())) {
            context.start();
            assertNull(relay(context).getTlsReporting());
        }
    }

    @Test
    void needsASubmitterAddress() throws Exception {
        SmtpRelayConfiguration config = new SmtpRelayConfiguration();
        config.setTlsReporting(true);
        config.setTlsReportSubmitter("not an address");
        try (CamelContext context = context(config)) {
            Exception e = assertThrows(Exception.class, context::start);
            assertTrue(String.valueOf(e.getMessage()).contains("tlsReportSubmitter")
                       || String.valueOf(e.getCause()).contains("tlsReportSubmitter"), e::toString);
        }
    }

    @Test
    void theDaysCountsSurviveARestart() throws Exception {
        SmtpRelayConfiguration config = new SmtpRelayConfiguration();
        config.setTlsReporting(true);
        config.setTlsReportSubmitter("tlsrpt@mta.example.org");
        config.setTlsReportDirectory(dir.toString());
        config.setDnsServers("127.0.0.1:9"); // never asked: nothing is due
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        try (CamelContext context = context(config)) {
            context.start();
            TlsReportCollector collector = relay(context).getTlsReporting().collector();
            collector.record(TlsAttempt.success(TlsAttempt.PolicyType.NO_POLICY_FOUND, "example.com", null, null,
                    "mx.example.com", "192.0.2.1", null));
        }
        assertTrue(Files.exists(dir.resolve("tlsrpt-" + today + ".json")), "written at stop");
        try (CamelContext context = context(config)) {
            context.start();
            TlsReportCollector collector = relay(context).getTlsReporting().collector();
            assertNotNull(collector);
            List<TlsReportCollector.PolicyCounts> counts = collector.counts(today, "example.com");
            assertEquals(1, counts.size(), counts::toString);
            assertEquals(1, counts.get(0).successful());
        }
    }
}
