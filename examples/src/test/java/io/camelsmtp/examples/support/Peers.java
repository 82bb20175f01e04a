package io.camelsmtp.examples.support;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the example tests need to drive real peers (swaks, smtp-sink, dnsmasq, Dovecot, curl, Python): a free port,
 * whether a program is there, running one to completion or stopping it, and where Postfix's smtp-sink lives (the sink
 * itself is {@link SmtpSink}).
 */
public final class Peers {

    private Peers() {
    }

    /** Ports handed out in this JVM: the OS may offer a just-closed port again, and two peers must never share one. */
    private static final java.util.Set<Integer> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A TCP port free at the time of the call, and not handed out before by this JVM. */
    public static int freePort() throws IOException {
        for (int i = 0; i < 100; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (GIVEN.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
        throw new IllegalStateException("no free port that was not handed out already");
    }

    /** A port free for both TCP and UDP on 127.0.0.1, as dnsmasq serves both. */
    public static int freeDnsPort() throws IOException {
        for (int i = 0; i < 20; i++) {
            int port = freePort();
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                return port;
            } catch (IOException taken) {
                // try another one
            }
        }
        throw new IllegalStateException("no port free for both UDP and TCP");
    }

    /** The first of {@code candidates} that is an executable file (a program Debian puts in /usr/sbin or /usr/bin). */
    public static Optional<String> executable(String... candidates) {
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Whether the command runs and exits with status 0 within 10 s: for skipping a test when a program is missing. */
    public static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Runs the command to its end (at most 90 s) and returns what it printed, standard error included. */
    public static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), out);
        return out;
    }

    /** Postfix's smtp-sink (Debian package postfix), or null when it is not installed. */
    public static String smtpSink() {
        for (String candidate : List.of("/usr/sbin/smtp-sink", "/usr/bin/smtp-sink", "/usr/local/sbin/smtp-sink")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Stops a process and everything below it (a program started through timeout(1), say): SIGTERM first, SIGKILL
     * after 10 s. Never waits longer than 20 s.
     */
    public static void stop(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Mounts a 1 MiB tmpfs on {@code dir} (created if missing), a disk a test can really fill; skips the test when it
     * cannot (mounting needs root, as in CI). Undo with {@link #unmount(Path)}.
     */
    public static Path mountTinyDisk(Path dir) throws Exception {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0,
                "SKIPPED: cannot mount a tmpfs to fill (needs root; CI runs as root): " + out);
        return dir;
    }

    public static void unmount(Path dir) throws Exception {
        new ProcessBuilder("umount", "-l", dir.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Makes a PKCS12 key store with a fresh self-signed RSA certificate for localhost and 127.0.0.1 (alias
     * {@code smtp}, valid 2 days) with the JDK's keytool, replacing any file at {@code keyStore}.
     */
    public static void selfSignedKeyStore(Path keyStore, String password) throws Exception {
        Files.createDirectories(keyStore.getParent());
        Files.deleteIfExists(keyStore);
        String out = run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", password, "-alias", "smtp", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2"));
        assertTrue(Files.isRegularFile(keyStore), "keytool made no key store: " + out);
    }
}
