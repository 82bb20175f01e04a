package io.camelsmtp.examples.console;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.Curl;
import io.camelsmtp.examples.support.Peers;
import io.camelsmtp.examples.support.SmtpSink;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static io.camelsmtp.examples.support.Curl.bearer;
import static io.camelsmtp.examples.support.Curl.with;
import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The queue console in a real browser: Debian's chromium, headless, driven by Selenium through chromium-driver. The
 * app's queue has a next hop that defers (Postfix's smtp-sink answering RCPT with 4xx); swaks sends two messages;
 * the page shows them deferred with the sink's reply. Then the refusing sink is replaced by an accepting one on the
 * same port; one message is held from the page first, then the page's Flush button delivers the other, and its Release
 * button the held one: both leave the list, the live events say delivered, and the sink has them. Without the token
 * the page shows nothing and every data call is refused; the guard's rules hold for the console's paths too.
 * <p>
 * A screenshot of the page with a held message, its history and the delivered one's events goes to {@code target/console.png} (docs/images/console.png is
 * one of these).
 */
class ConsoleBrowserTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Pattern QUEUED_AS = Pattern.compile("queued as ([0-9A-Za-z]+)");

    @TempDir
    Path tmp;

    private Main main;
    private WebDriver browser;
    private SmtpSink sink;
    private int smtpPort;
    private String base;
    private String token;

    @BeforeEach
    void peers() {
        assumeTrue(Files.isExecutable(Path.of(CHROMIUM)),
                "SKIPPED: chromium is not installed, the console test drives it (Debian package chromium)");
        assumeTrue(Files.isExecutable(Path.of(CHROMEDRIVER)),
                "SKIPPED: chromedriver is not installed, Selenium drives chromium through it (Debian package chromium-driver)");
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, it sends the mail (Debian package swaks)");
        assumeTrue(Peers.smtpSink() != null, "SKIPPED: smtp-sink is not installed, it is the next hop (Debian package postfix)");
        assumeTrue(runs("curl", "--version"), "SKIPPED: curl is not installed (Debian package curl)");
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (main != null) {
            main.stop();
        }
        if (sink != null) {
            sink.close();
        }
    }

    private void startApp(int sinkPort) throws Exception {
        Path routes = tmp.resolve("console.camel.yaml");
        Files.writeString(routes, """
                - route:
                    id: console-inbound
                    from:
                      uri: "smtp-server:127.0.0.1:{{smtp.port}}"
                      parameters: { acceptedDomains: "example.org,example.net", hostName: "mx.test" }
                      steps:
                        - to: { uri: "smtp-queue:outbound", parameters: { spoolDirectory: "{{spool.dir}}/outbound" } }
                - route:
                    id: console-deliver
                    errorHandler: { defaultErrorHandler: { redeliveryPolicy: { logExhausted: false } } }
                    from:
                      uri: "smtp-queue:outbound"
                      parameters: { spoolDirectory: "{{spool.dir}}/outbound", minBackoff: "30m" }
                      steps:
                        - to: { uri: "smtp-relay:127.0.0.1:{{sink.port}}?tls=none&connectTimeout=2s" }
                """);
        smtpPort = freePort();
        int adminPort = freePort();
        base = "http://127.0.0.1:" + adminPort;
        main = MailRouter.create("file:" + routes);
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("sink.port", String.valueOf(sinkPort));
        main.addInitialProperty("admin.port", String.valueOf(adminPort));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString());
        main.addInitialProperty("spool.dir", tmp.resolve("spool").toString());
        main.addInitialProperty("console.sampleInterval", "1");
        main.start();
        token = Curl.token(tmp.resolve("data/admin.token"));
    }

    private WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1900", "--user-data-dir=" + tmp.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort()
                .withLogFile(tmp.resolve("chromedriver.log").toFile()).build();
        return new ChromeDriver(service, options);
    }

    private String send(String to) throws Exception {
        String out = Peers.run(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(smtpPort),
                "--from", "alice@example.com", "--to", to, "--header", "Subject: console test", "--timeout", "20"));
        Matcher m = QUEUED_AS.matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    private Curl curl(String... options) throws Exception {
        return Curl.run(tmp.resolve("curl"), options);
    }

    private WebElement waitFor(By by, int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds)).until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.isEmpty() ? null : found.get(0);
        });
    }

    private void waitUntilGone(By by, int seconds) {
        new WebDriverWait(browser, Duration.ofSeconds(seconds)).until(d -> d.findElements(by).isEmpty());
    }

    private static By row(String id) {
        return By.cssSelector("#messages tbody tr[data-id='" + id + "']");
    }

    private static By button(String label) {
        return By.cssSelector("button[aria-label^='" + label + "']");
    }

    @Test
    void deferredThenDeliveredFromThePage() throws Exception {
        int sinkPort = freePort();
        // the next hop answers every RCPT with a 4xx: each attempt defers
        sink = SmtpSink.start(tmp.resolve("refusing"), "127.0.0.1", sinkPort, "-r", "RCPT");
        startApp(sinkPort);
        browser = browser();

        // without a token: the page loads, shows no data, and every data call is refused
        browser.get(base + "/console");
        WebElement status = waitFor(By.id("status"), 10);
        assertTrue(status.getText().contains("Enter the admin token"), status.getText());
        assertFalse(browser.findElement(By.id("data")).isDisplayed(), "no data without the token");
        assertTrue(browser.findElements(By.cssSelector("#messages tbody tr")).isEmpty());
        for (String path : List.of("/queue", "/queue/outbound?offset=0&limit=10", "/queue/outbound/samples",
                "/queue/outbound/destinations", "/queue/outbound/events", "/queue/outbound/X/history")) {
            assertEquals(401, curl(base + path).status(), path);
        }
        Curl page = curl(base + "/console");
        assertEquals(200, page.status());
        assertEquals("default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                page.headers().get("content-security-policy"));
        assertEquals("no-store", page.headers().get("cache-control"));
        assertEquals("nosniff", page.headers().get("x-content-type-options"));
        assertFalse(page.body().contains("<script>"), "no inline script");
        // the static files only by GET; a rebound DNS name is refused even for them; a cross-site simple POST is too
        assertEquals(401, curl("-X", "POST", "-H", "Content-Type: application/json", base + "/console").status());
        assertEquals(421, curl("--resolve", "evil.test:" + base.substring(base.lastIndexOf(':') + 1) + ":127.0.0.1",
                base.replace("127.0.0.1", "evil.test") + "/console").status());
        assertEquals(415, curl(with(bearer(token), "-X", "POST", "-H", "Origin: http://evil.test",
                "-H", "Content-Type: text/plain", "--data", "{}", base + "/queue/outbound/flush")).status());
        assertEquals(421, curl(with(bearer(token), "-H", "Host: evil.test", base + "/queue/outbound/events")).status());

        String first = send("bob@example.org");
        String second = send("carol@example.net");

        // with the token in the fragment: it is taken and removed from the address bar
        browser.get(base + "/console#token=" + token);
        assertFalse(browser.getCurrentUrl().contains(token), browser.getCurrentUrl());
        for (String id : List.of(first, second)) {
            WebElement reply = waitFor(By.cssSelector("#messages tbody tr[data-id='" + id + "'] td.reply"), 30);
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> reply.getText().contains("4"));
        }
        String firstRow = browser.findElement(row(first)).getText();
        assertTrue(firstRow.contains("bob@example.org") && firstRow.contains("alice@example.com"), firstRow);
        String reply = browser.findElement(By.cssSelector("#messages tbody tr[data-id='" + first + "'] td.reply")).getText();
        assertTrue(reply.matches("(?s).*\\b4\\d\\d\\b.*"), "the sink's 4xx reply: " + reply);
        WebElement destination = waitFor(By.cssSelector("#destinations tbody tr[data-domain='example.org']"), 10);
        assertTrue(destination.getText().contains("deferred"), destination.getText());
        assertTrue(waitFor(By.cssSelector("#queues tbody tr[data-queue='outbound'] td.size"), 5).getText().equals("2"));

        // search, paged on the server
        WebElement search = browser.findElement(By.id("search"));
        search.sendKeys("carol", Keys.ENTER);
        waitUntilGone(row(first), 10);
        assertEquals(1, browser.findElements(By.cssSelector("#messages tbody tr")).size());
        assertTrue(browser.findElement(By.id("page-info")).getText().contains("1–1 of 1"),
                browser.findElement(By.id("page-info")).getText());
        search.clear();
        search.sendKeys(Keys.ENTER);
        waitFor(row(first), 10);

        // the delivery history of one message: its recipient and the sink's reply
        browser.findElement(button("Delivery history of " + first)).click();
        WebElement history = waitFor(By.cssSelector("#history:not([hidden]) #history-recipients tbody tr"), 10);
        assertTrue(history.getText().contains("bob@example.org"), history.getText());
        assertTrue(browser.findElement(By.id("history-summary")).getText().contains("1 attempt"),
                browser.findElement(By.id("history-summary")).getText());
        browser.findElement(By.id("history-close")).click();

        // hold the first from the page; the next hop now accepts
        browser.findElement(button("Hold " + first)).click();
        waitFor(By.cssSelector("#messages tbody tr[data-id='" + first + "'][data-status='held']"), 10);
        sink.close();
        sink = SmtpSink.start(tmp.resolve("accepting"), sinkPort);

        // Flush delivers the waiting one, not the held one
        browser.findElement(button("Flush queue outbound")).click();
        waitUntilGone(row(second), 30);
        waitFor(By.cssSelector("#events li[data-type='delivered'][data-id='" + second + "']"), 10);
        assertFalse(browser.findElements(row(first)).isEmpty(), "the held message stays");
        sink.awaitDump(second, 10);
        browser.findElement(button("Delivery history of " + first)).click();
        waitFor(By.cssSelector("#history:not([hidden]) #history-recipients tbody tr"), 10);
        Files.write(Path.of("target", "console.png"), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));

        // Release delivers the held one
        browser.findElement(button("Release " + first)).click();
        waitUntilGone(row(first), 30);
        waitFor(By.cssSelector("#events li[data-type='delivered'][data-id='" + first + "']"), 10);
        sink.awaitDump(first, 10);
        assertTrue(browser.findElement(By.id("page-info")).getText().contains("No messages"));

        // Forget token: the data goes away, and the token with it
        browser.findElement(By.id("token-forget")).click();
        assertFalse(browser.findElement(By.id("data")).isDisplayed());
        assertTrue(browser.findElements(By.cssSelector("#events li")).isEmpty());
        assertEquals(0L, ((JavascriptExecutor) browser).executeScript("return sessionStorage.length"));

        // the labelled password field, from the keyboard
        WebElement field = browser.findElement(By.cssSelector("label[for='token'] + input#token"));
        assertEquals("password", field.getAttribute("type"));
        field.sendKeys(token, Keys.ENTER);
        waitFor(By.cssSelector("#queues tbody tr[data-queue='outbound']"), 10);
        assertTrue(browser.findElement(By.id("data")).isDisplayed());
    }

    private boolean allOpen(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            Path f = tmp.resolve("stream" + i);
            if (!Files.exists(f) || !Files.readString(f).contains("events of queue outbound")) {
                return false;
            }
        }
        return true;
    }

    /** At most console.maxStreams (4 by default) event streams run at once; the next one gets a 503. */
    @Test
    void eventStreamsAreCapped() throws Exception {
        sink = SmtpSink.start(tmp.resolve("sink"));
        startApp(sink.port());
        List<Process> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                streams.add(new ProcessBuilder("curl", "-sS", "-N", "--max-time", "30", "-H", "Authorization: Bearer " + token,
                        base + "/queue/outbound/events").redirectErrorStream(true)
                        .redirectOutput(tmp.resolve("stream" + i).toFile()).start());
            }
            for (int i = 0; i < 100 && !allOpen(4); i++) {
                Thread.sleep(100);
            }
            assertTrue(allOpen(4), "4 streams open");
            Curl fifth = curl(with(bearer(token), "--max-time", "5", base + "/queue/outbound/events"));
            assertEquals(503, fifth.status(), fifth.body());
            assertTrue(fifth.body().contains("console.maxStreams"), fifth.body());
        } finally {
            streams.forEach(Peers::stop);
        }
    }
}
