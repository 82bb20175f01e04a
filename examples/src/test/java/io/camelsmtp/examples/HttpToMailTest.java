package io.camelsmtp.examples;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.Curl;
import io.camelsmtp.examples.support.SmtpSink;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Curl.with;
import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.runs;
import static io.camelsmtp.examples.support.Peers.smtpSink;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * routes/http-to-mail.camel.yaml, alone, between real peers: curl and the JDK's HttpClient POST JSON to the app's
 * platform-http server; the app queues the mail and relays it to Postfix's smtp-sink, which dumps every transaction
 * (envelope as X-Mail-Args / X-Rcpt-Args lines, then the message) into a file. Requests carry the HTTP token the app
 * generated into its data directory; without it, for a foreign Host, as a form or too large, nothing is sent.
 */
class HttpToMailTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private SmtpSink sink;
    private Main main;
    private String base;
    private int adminPort;
    private String token;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(smtpSink() != null,
                "SKIPPED: Postfix's smtp-sink is not installed, this end-to-end test needs it as the receiving MTA");
        assumeTrue(runs("curl", "--version"), "SKIPPED: curl is not installed, this end-to-end test needs it");

        sink = SmtpSink.start(tmp);

        adminPort = freePort();
        base = "http://127.0.0.1:" + adminPort;
        main = MailRouter.create("file:routes/http-to-mail.camel.yaml");
        main.addInitialProperty("admin.port", String.valueOf(adminPort));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString());
        main.addInitialProperty("http.maxBodySize", "100000");
        main.addInitialProperty("spool.dir", tmp.resolve("spool").toString());
        main.addInitialProperty("relay.uri", "smtp-relay:127.0.0.1:" + sink.port() + "?tls=none&heloName=app.example.org");
        main.start();
        token = Curl.token(tmp.resolve("data/http.token"));
    }

    @AfterEach
    void stop() throws Exception {
        if (main != null) {
            main.stop();
        }
        if (sink != null) {
            sink.close();
        }
    }

    private record Answer(int status, String contentType, String body) {
    }

    private Answer post(String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/mail"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    /** POSTs with curl; the request body from a file (as a user would: curl --data-binary @mail.json). */
    private Answer curl(String body) throws Exception {
        Path request = Files.writeString(tmp.resolve("request.json"), body);
        Path headers = tmp.resolve("headers.txt");
        Process p = new ProcessBuilder("curl", "-sS", "-D", headers.toString(), "-H", "Content-Type: application/json",
                "-H", "Authorization: Bearer " + token, "--data-binary", "@" + request, base + "/mail")
                .redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "curl hangs");
        assertEquals(0, p.exitValue(), "curl failed: " + err);
        List<String> lines = Files.readAllLines(headers);
        int status = Integer.parseInt(lines.get(0).split(" ")[1]);
        String type = lines.stream().filter(l -> l.toLowerCase().startsWith("content-type:"))
                .map(l -> l.substring(13).trim()).findFirst().orElse("");
        return new Answer(status, type, out);
    }

    private static String error(Answer a) throws Exception {
        assertEquals(400, a.status(), a.body());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        JsonNode json = JSON.readTree(a.body());
        assertNotNull(json.get("error"), a.body());
        return json.get("error").asText();
    }

    @Test
    void jsonMailWithTextHtmlAndAttachmentIsRelayedToTheSink() throws Exception {
        byte[] pdf = new byte[5000];
        new Random(7).nextBytes(pdf);
        Map<String, Object> request = Map.of(
                "from", "Alice Example <alice@example.org>",
                "to", List.of("bob@example.net", "Ernie <ernie@example.net>"),
                "cc", "carol@example.net",
                "bcc", List.of("dave@example.net"),
                "subject", "Quarterly report – Grüße",
                "text", "plain body äöü\n",
                "html", "<p>html <b>body</b></p>\n",
                "attachments", List.of(Map.of("name", "report.pdf", "type", "application/pdf",
                        "content", Base64.getEncoder().encodeToString(pdf))));
        Answer answer = curl(JSON.writeValueAsString(request));
        assertEquals(202, answer.status(), answer.body());
        assertTrue(answer.contentType().startsWith("application/json"), answer.contentType());
        JsonNode json = JSON.readTree(answer.body());
        String queueId = json.get("queueId").asText();
        assertTrue(queueId.matches("[0-9A-Za-z]+"), answer.body());
        String messageId = json.get("messageId").asText();

        // delivered: the queue is empty again, and the sink has dumped the transaction
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(sink.dumped().size() >= 1 && queueEmpty())) {
            assertTrue(System.nanoTime() < until, "not delivered in 30 s; queue: "
                    + HTTP.send(admin("/queue/http-outbound/mailq"), HttpResponse.BodyHandlers.ofString()).body());
            Thread.sleep(100);
        }
        Thread.sleep(500); // a second transaction (there must be none) would show up by now
        List<Path> files = sink.dumped();
        assertEquals(1, files.size(), "exactly one message: " + files);
        byte[] dump = Files.readAllBytes(files.get(0));
        String text = new String(dump, StandardCharsets.ISO_8859_1);

        List<String> mailArgs = text.lines().filter(l -> l.startsWith("X-Mail-Args: ")).toList();
        List<String> rcptArgs = text.lines().filter(l -> l.startsWith("X-Rcpt-Args: ")).map(l -> l.substring(13)).toList();
        assertEquals(1, mailArgs.size(), text);
        assertTrue(mailArgs.get(0).startsWith("X-Mail-Args: <alice@example.org>"), mailArgs.get(0));
        assertEquals(List.of("<bob@example.net>", "<ernie@example.net>", "<carol@example.net>",
                "<dave@example.net>"), rcptArgs.stream().map(a -> a.split(" ")[0]).toList(), text);

        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(dump));
        assertEquals("Quarterly report – Grüße", m.getSubject());
        assertEquals(messageId, m.getMessageID());
        assertNotNull(m.getSentDate());
        assertEquals("1.0", m.getHeader("MIME-Version", null));
        assertEquals(List.of(new InternetAddress("Alice Example <alice@example.org>")), List.of(m.getFrom()));
        assertEquals(List.of(new InternetAddress("bob@example.net"), new InternetAddress("Ernie <ernie@example.net>")),
                List.of(m.getRecipients(Message.RecipientType.TO)));
        assertEquals(List.of(new InternetAddress("carol@example.net")), List.of(m.getRecipients(Message.RecipientType.CC)));
        assertNull(m.getHeader("Bcc"), "Bcc must not be in the headers");
        int daveInHeaders = text.substring(0, text.indexOf("\n\n")).split("dave@example.net", -1).length - 1;
        assertEquals(1, daveInHeaders, "dave only in the envelope (X-Rcpt-Args), nowhere in the message headers");
        assertTrue(m.isMimeType("multipart/mixed"), m.getContentType());

        Multipart mixed = (Multipart) m.getContent();
        assertEquals(2, mixed.getCount());
        BodyPart alternativePart = mixed.getBodyPart(0);
        assertTrue(alternativePart.isMimeType("multipart/alternative"), alternativePart.getContentType());
        Multipart alternative = (Multipart) alternativePart.getContent();
        assertEquals(2, alternative.getCount());
        assertTrue(alternative.getBodyPart(0).isMimeType("text/plain"));
        assertEquals("plain body äöü\n", alternative.getBodyPart(0).getContent().toString().replace("\r\n", "\n"));
        assertTrue(alternative.getBodyPart(1).isMimeType("text/html"));
        assertEquals("<p>html <b>body</b></p>", alternative.getBodyPart(1).getContent().toString().strip());

        BodyPart attachment = mixed.getBodyPart(1);
        assertTrue(attachment.isMimeType("application/pdf"), attachment.getContentType());
        assertEquals("report.pdf", attachment.getFileName());
        assertEquals(Part.ATTACHMENT, attachment.getDisposition());
        assertArrayEquals(pdf, attachment.getInputStream().readAllBytes());
    }

    /** A GET of an admin endpoint, with the admin token (not the HTTP one). */
    private HttpRequest admin(String path) throws Exception {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + Curl.token(tmp.resolve("data/admin.token"))).build();
    }

    private boolean queueEmpty() throws Exception {
        HttpResponse<String> r = HTTP.send(admin("/queue/http-outbound"), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 && JSON.readTree(r.body()).isEmpty();
    }

    @Test
    void notJsonIs400() throws Exception {
        String error = error(curl("{\"from\": \"alice@example.org\", \"to\": "));
        assertTrue(error.startsWith("not valid JSON"), error);
        error = error(post("hello"));
        assertTrue(error.startsWith("not valid JSON"), error);
        error = error(post("[1, 2]"));
        assertTrue(error.contains("JSON object"), error);
        error = error(post(""));
        assertTrue(error.contains("empty request"), error);
        assertTrue(sink.dumped().isEmpty());
    }

    @Test
    void missingFromOrToIs400NamingIt() throws Exception {
        String error = error(post("{\"from\": \"alice@example.org\", \"subject\": \"x\", \"text\": \"y\"}"));
        assertTrue(error.contains("\"to\""), error);
        error = error(post("{\"to\": \"bob@example.net\", \"text\": \"y\"}"));
        assertTrue(error.contains("\"from\""), error);
        error = error(post("{\"from\": \"alice@example.org\", \"to\": [], \"text\": \"y\"}"));
        assertTrue(error.contains("\"to\""), error);
        error = error(post("{\"from\": \"alice@example.org\", \"to\": \"bob@example.net\", \"txt\": \"y\"}"));
        assertTrue(error.contains("unknown field \"txt\""), error);
        assertTrue(sink.dumped().isEmpty());
    }

    @Test
    void invalidAddressIs400() throws Exception {
        for (String bad : List.of("bob", "bob@@example.net", "bob@exa mple.net", "<bob@example.net", "bob@")) {
            String error = error(post(JSON.writeValueAsString(Map.of("from", "alice@example.org", "to", bad, "text", "y"))));
            assertTrue(error.contains("\"to\"") && error.contains("invalid address"), bad + ": " + error);
        }
        String error = error(post(JSON.writeValueAsString(
                Map.of("from", "alice@example.org", "to", "bob@example.net", "bcc", List.of("x y z"), "text", "y"))));
        assertTrue(error.contains("\"bcc\"") && error.contains("invalid address"), error);
        error = error(post(JSON.writeValueAsString(Map.of("from", "alice(at)example.org", "to", "bob@example.net"))));
        assertTrue(error.contains("\"from\""), error);
        assertTrue(sink.dumped().isEmpty());
    }

    @Test
    void badBase64Is400() throws Exception {
        String error = error(curl(JSON.writeValueAsString(Map.of("from", "alice@example.org", "to", "bob@example.net",
                "text", "see attachment",
                "attachments", List.of(Map.of("name", "a.bin", "type", "application/octet-stream", "content", "%%%not base64"))))));
        assertTrue(error.contains("\"attachments\"[0].content") && error.contains("base64"), error);
        assertTrue(sink.dumped().isEmpty());
    }

    @Test
    void getIsRefused() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/mail"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode(), r.body());
    }

    private static final String MAIL =
            "{\"from\": \"ceo@example.org\", \"to\": \"bank@example.net\", \"text\": \"pay\"}";

    private Curl send(String... options) throws Exception {
        return Curl.run(tmp.resolve("curl"), options);
    }

    /** What a hostile page, or anyone on the host, would try: none of it sends mail. */
    @Test
    void withoutTheHttpTokenNothingIsSent() throws Exception {
        String[] json = {"-H", "Content-Type: application/json", "-d", MAIL, base + "/mail"};
        Curl none = send(json);
        assertEquals(401, none.status(), none.body());
        assertEquals("Bearer realm=\"camel-smtp\"", none.headers().get("www-authenticate"));
        assertTrue(none.body().contains("Authorization: Bearer <HTTP token> required"), none.body());
        assertEquals(401, send(with(Curl.bearer(token + "x"), json)).status(), "a wrong token");
        assertEquals(401, send(with(Curl.bearer(Curl.token(tmp.resolve("data/admin.token"))), json)).status(),
                "the admin token is not the HTTP token");
        // the HTTP token does not open the admin endpoints, however the path is spelled
        Curl traversal = send(with(Curl.bearer(token), "--path-as-is", "-X", "POST", "-H",
                "Content-Type: application/json", base + "/mail/../queue/http-outbound/flush"));
        assertEquals(401, traversal.status(), traversal.body());
        assertTrue(traversal.body().contains("<admin token>"), traversal.body());
        for (String spelled : List.of("//queue/http-outbound/flush", "/./queue/http-outbound/flush",
                "/%71ueue/http-outbound/flush", "/QUEUE/http-outbound/flush")) {
            assertEquals(401, send(with(Curl.bearer(token), "--path-as-is", "-X", "POST", "-H",
                    "Content-Type: application/json", base + spelled)).status(), spelled);
        }
        Thread.sleep(300);
        assertTrue(sink.dumped().isEmpty());
    }

    @Test
    void aForeignHostAFormOrAnotherTypeIsRefused() throws Exception {
        String[] bearer = Curl.bearer(token);
        // DNS rebinding: the page's own name now resolves to 127.0.0.1, so the browser sends Host: rebind.test
        Curl rebound = send(with(bearer, "--resolve", "rebind.test:" + adminPort + ":127.0.0.1",
                "-H", "Content-Type: application/json", "-d", MAIL, "http://rebind.test:" + adminPort + "/mail"));
        assertEquals(421, rebound.status(), rebound.body());
        // what an HTML form or a simple cross-site request sends
        for (String[] simple : List.of(new String[] {"-d", "from=ceo@example.org&to=bank@example.net"},
                new String[] {"-H", "Content-Type: text/plain", "-d", MAIL},
                new String[] {"-F", "from=ceo@example.org"}, new String[] {"-X", "POST"})) {
            Curl refused = send(with(with(bearer, simple), base + "/mail"));
            assertEquals(415, refused.status(), String.join(" ", simple) + ": " + refused.body());
        }
        Path big = Files.writeString(tmp.resolve("big.json"), "{\"from\": \"a@example.org\", \"to\": \"b@example.net\","
                                                             + " \"text\": \"" + "x".repeat(200_000) + "\"}");
        Curl tooLarge = send(with(bearer, "-H", "Content-Type: application/json", "--data-binary", "@" + big,
                base + "/mail"));
        assertEquals(413, tooLarge.status(), tooLarge.body());
        Thread.sleep(300);
        assertTrue(sink.dumped().isEmpty());
    }

    @Test
    void moreThanAHundredRecipientsIs400() throws Exception {
        List<String> to = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            to.add("to" + i + "@example.net");
        }
        List<String> bcc = new ArrayList<>();
        for (int i = 0; i < 41; i++) {
            bcc.add("bcc" + i + "@example.net");
        }
        String error = error(curl(JSON.writeValueAsString(Map.of("from", "alice@example.org", "to", to, "bcc", bcc))));
        assertEquals("too many recipients: 101 in to, cc and bcc (at most 100)", error);
        assertEquals(202, curl(JSON.writeValueAsString(Map.of("from", "alice@example.org", "to", to,
                "bcc", bcc.subList(0, 40)))).status(), "100 is fine");
    }
}
