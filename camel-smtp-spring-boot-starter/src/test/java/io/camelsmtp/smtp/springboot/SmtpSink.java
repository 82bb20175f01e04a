package io.camelsmtp.smtp.springboot;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Postfix's smtp-sink on 127.0.0.1 and a free port, dumping each message it accepts into a file of its own
 * ({@code smtp-sink -d}): the smart host of the starter's test. The same as the examples module's test helper of that
 * name, which is test code of another module and not published.
 */
final class SmtpSink implements AutoCloseable {

    private final Process process;
    private final Path dumps;
    private final int port;

    private SmtpSink(Process process, Path dumps, int port) {
        this.process = process;
        this.dumps = dumps;
        this.port = port;
    }

    /** Where smtp-sink is installed (Debian package postfix), or null: the test skips then. */
    static String command() {
        for (String candidate : List.of("/usr/sbin/smtp-sink", "/usr/bin/smtp-sink", "/usr/local/sbin/smtp-sink")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    /** A TCP port free at the time of the call. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts smtp-sink with its dumps and log ({@code sink.log}) under {@code dir}; returns once it accepts. */
    static SmtpSink start(Path dir) throws Exception {
        int port = freePort();
        Path dumps = Files.createDirectories(dir.resolve("sink-dump"));
        Path log = dir.resolve("sink.log");
        List<String> cmd = new ArrayList<>(List.of(command()));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "root")); // smtp-sink refuses to run as root without -u
        }
        cmd.addAll(List.of("-d", dumps + "/m.", "127.0.0.1:" + port, "16"));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return new SmtpSink(process, dumps, port);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        process.destroy();
        throw new AssertionError("smtp-sink did not start on 127.0.0.1:" + port + ": " + Files.readString(log));
    }

    int port() {
        return port;
    }

    /** The messages received so far, one file each. */
    List<Path> dumped() throws IOException {
        try (Stream<Path> files = Files.list(dumps)) {
            return files.sorted().toList();
        }
    }

    /** Waits up to {@code seconds} for a message carrying this queue id (in our Received header) and returns it. */
    String awaitDump(String queueId, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (Path f : dumped()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                if (text.contains(" id " + queueId)) {
                    return text;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no message with id " + queueId + " arrived at smtp-sink; dumps: " + dumped());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
