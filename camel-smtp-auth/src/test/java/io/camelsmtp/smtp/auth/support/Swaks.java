package io.camelsmtp.smtp.auth.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** swaks as the SMTP client of a test: one message file to a listener on loopback, the transcript back. */
public final class Swaks {

    private Swaks() {
    }

    /** Sends {@code message} (a whole RFC 5322 message) and returns the transcript, whatever the outcome. */
    public static String send(int port, String from, String to, Path message) throws Exception {
        return send(port, "client.test", from, to, message);
    }

    /** As {@link #send(int, String, String, Path)} with another HELO name; {@code from} "<>" is the null sender. */
    public static String send(int port, String helo, String from, String to, Path message) throws Exception {
        List<String> cmd = List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(port), "--from", from,
                "--to", to, "--helo", helo, "--data", "@" + message, "--timeout", "30");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            System.err.println("*** SKIPPED: swaks is not installed (apt-get install swaks): " + e.getMessage());
            assumeTrue(false, "swaks is not installed (apt-get install swaks)");
            throw e;
        }
        p.getOutputStream().close(); // swaks prompts on stdin for what it lacks: never wait for that
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "swaks did not finish");
        return new String(out, StandardCharsets.UTF_8);
    }

    public static String accepted(int port, String from, String to, Path message) throws Exception {
        return accepted(port, "client.test", from, to, message);
    }

    public static String accepted(int port, String helo, String from, String to, Path message) throws Exception {
        String out = send(port, helo, from, to, message);
        assertTrue(out.contains("\n<-  250") && !out.contains("<** "), out);
        return out;
    }
}
