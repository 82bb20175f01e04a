package io.camelsmtp.smtp.relay.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** swaks as the SMTP client of a test: one message to a listener on loopback, its transcript back. */
public final class Swaks {

    private Swaks() {
    }

    /**
     * Sends one message from {@code from} to {@code to} through 127.0.0.1:{@code port} and returns the transcript,
     * whatever the outcome (swaks exits non-zero when the message is refused). Skips the test, loudly, when swaks is
     * not installed.
     */
    public static String send(int port, String from, String to, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(port),
                "--from", from, "--to", to, "--helo", "client.test", "--body", "hello"));
        cmd.addAll(List.of(more));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            System.err.println("*** SKIPPED: swaks is not installed (apt-get install swaks): " + e.getMessage());
            assumeTrue(false, "swaks is not installed (apt-get install swaks)");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "swaks did not finish");
        return out;
    }

    /** {@link #send}, and the message must have been accepted. */
    public static String accepted(int port, String from, String to, String... more) throws Exception {
        String out = send(port, from, to, more);
        assertTrue(out.contains("\n<-  250") && !out.contains("<** "), out);
        return out;
    }
}
