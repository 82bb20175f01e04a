package io.camelsmtp.examples;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.LogLines;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.run;
import static io.camelsmtp.examples.support.Peers.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * routes/mail-to-webhook.camel.yaml, alone, between real peers: swaks and Python's smtplib send mail, a real HTTP
 * server (the JDK's) receives the JSON and answers 200, or 500 when told to; a 500 (or no server) must give the SMTP
 * client a 451 and the retry after the server is back a 250.
 */
class MailToWebhookTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private record Post(String method, String path, String contentType, String body) {
    }

    private HttpServer webhook;
    private boolean webhookUp;
    private final AtomicInteger status = new AtomicInteger(200);
    private final List<Post> posts = Collections.synchronizedList(new ArrayList<>());
    private Main main;
    private int smtpPort;

    @BeforeEach
    void start() throws Exception {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", x -> {
            String body;
            try (InputStream in = x.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            posts.add(new Post(x.getRequestMethod(), x.getRequestURI().getPath(),
                    x.getRequestHeaders().getFirst("Content-Type"), body));
            byte[] answer = "thanks".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(status.get(), answer.length);
            x.getResponseBody().write(answer);
            x.close();
        });
        webhook.start();
        webhookUp = true;

        smtpPort = freePort();
        main = MailRouter.create("file:routes/mail-to-webhook.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("admin.port", String.valueOf(freePort()));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString()); // its admin.token
        main.addInitialProperty("webhook.url", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook");
        main.start();
    }

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
        if (webhookUp) {
            webhook.stop(0);
        }
    }

    private static void assumeSwaks() {
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
    }

    /** swaks with a multipart/alternative text + HTML body and two attachments; returns its output. */
    private String swaks(Path pdf, Path csv) throws Exception {
        return run(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(smtpPort),
                "--from", "alice@example.org", "--to", "bob@example.net,carol@example.net",
                "--header", "Subject: Quarterly report",
                "--attach-type", "text/plain", "--attach-body", "plain body",
                "--attach-type", "text/html", "--attach-body", "<p>html body</p>",
                "--attach-type", "application/pdf", "--attach", "@" + pdf,
                "--attach-type", "text/csv", "--attach-name", "figures.csv", "--attach", "@" + csv));
    }

    private static String queueId(String out) {
        assertTrue(out.contains("<-  250 2.0.0 Ok: queued as "), out);
        return out.substring(out.indexOf("queued as ") + 10).split("\\s")[0];
    }

    private Path pdf() throws Exception {
        byte[] bytes = new byte[3000];
        new Random(42).nextBytes(bytes);
        return Files.write(tmp.resolve("report.pdf"), bytes);
    }

    private Path csv() throws Exception {
        return Files.writeString(tmp.resolve("data.csv"), "q,revenue\n1,100\n2,250\n");
    }

    @Test
    void swaksMessageIsPostedAsJson() throws Exception {
        assumeSwaks();
        String out = swaks(pdf(), csv());
        String id = queueId(out);

        assertEquals(1, posts.size(), "one POST per message");
        Post post = posts.get(0);
        assertEquals("POST", post.method());
        assertEquals("/hook", post.path());
        assertTrue(post.contentType().startsWith("application/json"), post.contentType());
        JsonNode json = JSON.readTree(post.body());
        assertEquals(id, json.get("queueId").asText(), post.body());
        assertEquals("alice@example.org", json.get("from").asText());
        assertEquals(List.of("bob@example.net", "carol@example.net"),
                JSON.convertValue(json.get("to"), List.class));
        assertTrue(json.get("messageId").asText().startsWith("<"), post.body());
        assertEquals("Quarterly report", json.get("subject").asText());
        assertEquals("plain body", json.get("text").asText());
        assertEquals("<p>html body</p>", json.get("html").asText());
        assertEquals(List.of(Map.of("name", "report.pdf", "type", "application/pdf", "size", 3000),
                        Map.of("name", "figures.csv", "type", "text/csv", "size", 22)),
                JSON.convertValue(json.get("attachments"), List.class), post.body());
    }

    @Test
    void pythonSmtplibMessageWithNonAsciiIsPostedAsJson() throws Exception {
        assumeTrue(runs("python3", "--version"), "SKIPPED: python3 is not installed, this end-to-end test needs it");
        String script = """
                import smtplib, sys
                from email.message import EmailMessage
                m = EmailMessage()
                m["From"] = "alice@example.org"
                m["To"] = "bob@example.net"
                m["Subject"] = "Grüße – Rechnung"
                m.set_content("Hallo Bob, äöü\\n")
                m.add_alternative("<p>Hallo <b>Bob</b> äöü</p>\\n", subtype="html")
                m.add_attachment(bytes(range(256)) * 4, maintype="image", subtype="png", filename="bild-ä.png")
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
                    print(s.send_message(m))
                    print(s.noop())
                """;
        Path py = Files.writeString(tmp.resolve("send.py"), script);
        String out = run(List.of("python3", py.toString(), String.valueOf(smtpPort)));
        assertTrue(out.startsWith("{}"), out); // no recipient refused, no exception

        assertEquals(1, posts.size());
        JsonNode json = JSON.readTree(posts.get(0).body());
        assertEquals("alice@example.org", json.get("from").asText());
        assertEquals("Grüße – Rechnung", json.get("subject").asText(), posts.get(0).body());
        assertEquals("Hallo Bob, äöü\r\n", json.get("text").asText());
        assertEquals("<p>Hallo <b>Bob</b> äöü</p>\r\n", json.get("html").asText());
        assertEquals(List.of(Map.of("name", "bild-ä.png", "type", "image/png", "size", 1024)),
                JSON.convertValue(json.get("attachments"), List.class), posts.get(0).body());
    }

    @Test
    void webhook500Gives451AndTheRetryGets250() throws Exception {
        assumeSwaks();
        Path pdf = pdf();
        Path csv = csv();
        status.set(500);
        String out;
        List<String> problems;
        try (LogLines log = LogLines.capture()) {
            out = swaks(pdf, csv);
            problems = problems(log);
        }
        assertTrue(out.contains("<** 451 4.3.0 "), out);
        assertTrue(!out.contains("<-  250 2.0.0 Ok: queued"), out);
        assertEquals(1, posts.size(), "the webhook got the POST and refused it");
        String refusedId = JSON.readTree(posts.get(0).body()).get("queueId").asText();
        // one line, not a stack trace: which message, what the webhook said
        assertEquals(1, problems.size(), String.join("", problems));
        assertTrue(problems.get(0).contains(refusedId + ": ") && problems.get(0).contains("HTTP 500"), problems.get(0));

        status.set(200);
        String retry = swaks(pdf, csv);
        String id = queueId(retry);
        assertNotEquals(refusedId, id);
        assertEquals(2, posts.size());
        JsonNode json = JSON.readTree(posts.get(1).body());
        assertEquals(id, json.get("queueId").asText());
        assertEquals("Quarterly report", json.get("subject").asText());
        assertEquals(2, json.get("attachments").size());
    }

    @Test
    void unreachableWebhookGives451() throws Exception {
        assumeSwaks();
        webhook.stop(0);
        webhookUp = false;
        String out;
        List<String> problems;
        try (LogLines log = LogLines.capture()) {
            out = swaks(pdf(), csv());
            problems = problems(log);
        }
        assertTrue(out.contains("<** 451 4.3.0 "), out);
        assertEquals(0, posts.size());
        assertEquals(1, problems.size(), String.join("", problems));
        assertTrue(problems.get(0).matches("(?s)WARN \\S+ - [0-9A-F]{10,}: .*Connection refused.*\n"), problems.get(0));
    }

    /**
     * The WARN and ERROR events so far, each of which must be a single line; they are captured while swaks runs, and
     * swaks has its answer only once the route is done.
     */
    private static List<String> problems(LogLines log) {
        List<String> problems = log.events().stream().filter(e -> e.startsWith("WARN ") || e.startsWith("ERROR "))
                .toList();
        for (String p : problems) {
            assertEquals(1, p.split("\n").length, "one line per failure: " + p);
        }
        return problems;
    }
}
