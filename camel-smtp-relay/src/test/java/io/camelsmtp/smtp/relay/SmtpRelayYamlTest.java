package io.camelsmtp.smtp.relay;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.camelsmtp.smtp.relay.support.InJvmDns;
import io.camelsmtp.smtp.relay.testbed.LoggingPeer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * from smtp-server to smtp-relay in the YAML DSL: the envelope headers flow through without mapping; named source
 * address pools as one endpoint per pool.
 */
class SmtpRelayYamlTest {

    @Test
    void serverToRelayInYaml() throws Exception {
        int smtpPort = AvailablePortFinder.getNextAvailable();
        int mxPort = AvailablePortFinder.getNextAvailable();
        try (InJvmDns dns = new InJvmDns().add("example.test. 0 IN MX 10 mx.example.test.")
                .add("mx.example.test. 0 IN A 127.0.0.1")) {
            Main main = new Main();
            main.configure().withRoutesIncludePattern("classpath:yaml/relay.camel.yaml");
            main.addInitialProperty("smtp.port", Integer.toString(smtpPort));
            main.addInitialProperty("mx.port", Integer.toString(mxPort));
            main.addInitialProperty("dns.server", dns.server());
            main.start();
            try {
                MockEndpoint mx = main.getCamelContext().getEndpoint("mock:mx", MockEndpoint.class);
                mx.expectedMessageCount(1);
                String reply = sendOne(smtpPort);
                assertTrue(reply.startsWith("250 2.0.0"), reply);
                mx.assertIsSatisfied();
                assertEquals(List.of("bob@example.test"), mx.getExchanges().get(0).getMessage().getHeader("CamelSmtpEnvelopeTo"));
                assertEquals("relay.example", mx.getExchanges().get(0).getMessage().getHeader("CamelSmtpHelo"));
                String body = mx.getExchanges().get(0).getMessage().getBody(String.class);
                assertTrue(body.indexOf("by relay.example") < 0 && body.split("Received: ", -1).length == 3,
                        "both hops added a Received header: " + body);
            } finally {
                main.stop();
            }
        }
    }

    @Test
    void namedPoolsAreEndpointsChosenByTheSenderDomain(@TempDir Path tmp) throws Exception {
        int peerPort = AvailablePortFinder.getNextAvailable();
        try (LoggingPeer peer = LoggingPeer.start("127.0.0.31", peerPort, tmp)) {
            Main main = new Main();
            main.configure().withRoutesIncludePattern("classpath:yaml/relay-pools.camel.yaml");
            main.addInitialProperty("peer", "127.0.0.31:" + peerPort);
            main.start();
            try {
                ProducerTemplate template = main.getCamelContext().createProducerTemplate();
                for (String from : List.of("a@news.example.org", "b@example.org", "c@news.example.org", "d@news.example.org")) {
                    template.send("direct:outbound", e -> {
                        e.getMessage().setHeader("CamelSmtpEnvelopeFrom", from);
                        e.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of("to@dest.test"));
                        e.getMessage().setBody("Subject: pools\r\n\r\nhi\r\n");
                    });
                }
            } finally {
                main.stop(); // closes the kept connections: each pool's next message would reuse its connection
            }
            List<String> sources = peer.awaitLines(4).stream().map(LoggingPeer.Line::address).toList();
            assertEquals(List.of("127.0.0.43", "127.0.0.42", "127.0.0.43", "127.0.0.43"), sources,
                    "bulk from its pool, the rest from its own; kept connections are reused whatever their source");
        }
    }

    private static String sendOne(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            in.readLine();
            out.write(("EHLO client.example\r\nMAIL FROM:<alice@client.example>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String line;
            int finals = 0;
            while (finals < 4 && (line = in.readLine()) != null) {
                if (line.length() > 3 && line.charAt(3) == ' ') {
                    finals++;
                }
            }
            out.write("Subject: yaml\r\n\r\nrelayed\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
            return in.readLine();
        }
    }
}
