package io.camelsmtp.smtp.relay.support;

import java.util.List;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.relay.SmtpRelayConstants;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Run in a JVM of its own with a small heap by {@code RelaySmallHeapTest}: sends {@code rounds} times one message to
 * a hostile smart host and one to a healthy one, and prints one line per message: {@code <who> <status> <code>
 * <enhanced status> <text>}, or {@code <who> NO-REPORT <exception>}. Then {@code DONE}.
 * <p>
 * Arguments: hostile port, healthy port, rounds.
 */
public final class SmallHeapRelay {

    private SmallHeapRelay() {
    }

    public static void main(String[] args) throws Exception {
        int hostile = Integer.parseInt(args[0]);
        int healthy = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        String options = "?heloName=relay.test&tls=none&connectTimeout=2s&commandTimeout=5s&connectionReuse=false";
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            ProducerTemplate template = context.createProducerTemplate();
            for (int i = 0; i < rounds; i++) {
                report("hostile", template.send("smtp-relay:127.0.0.1:" + hostile + options, e -> fill(e)));
                report("healthy", template.send("smtp-relay:127.0.0.1:" + healthy + options, e -> fill(e)));
            }
        }
        System.out.println("DONE max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
    }

    private static void fill(Exchange e) {
        e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
        e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of("rcpt@dest.test"));
        e.getMessage().setBody("From: <sender@origin.test>\r\nTo: <rcpt@dest.test>\r\nSubject: small heap\r\n\r\nhello\r\n");
    }

    private static void report(String who, Exchange e) {
        DeliveryReport report = e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class);
        if (report == null) {
            System.out.println(who + " NO-REPORT " + e.getException());
            return;
        }
        RecipientResult r = report.get("rcpt@dest.test");
        System.out.println(who + " " + r.getStatus() + " " + r.getCode() + " " + r.getEnhancedStatus() + " "
                           + r.getText().replace('\n', ' '));
    }
}
