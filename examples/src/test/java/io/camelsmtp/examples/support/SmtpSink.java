package io.camelsmtp.examples.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Postfix's smtp-sink as a receiving MTA on 127.0.0.1 and a free port, dumping every message it accepts into a file
 * of its own ({@code smtp-sink -d}), with its output in {@code sink.log}: the smart host or next hop of the example
 * tests. Tests check {@link Peers#smtpSink()} first and skip when it is not installed.
 */
public final class SmtpSink implements AutoCloseable {

    private final Process process;
    private final Path dumps;
    private final int port;

    private SmtpSink(Process process, Path dumps, int port) {
        this.process = process;
        this.dumps = dumps;
        this.port = port;
    }

    /** Starts smtp-sink with its dumps and log under {@code dir} and returns once it accepts connections. */
    public static SmtpSink start(Path dir) throws Exception {
        int port = Peers.freePort();
        Path dumps = Files.createDirectories(dir.resolve("sink-dump"));
        Path log = dir.resolve("sink.log");
        List<String> cmd = new ArrayList<>(List.of(Peers.smtpSink()));
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

    public int port() {
        return port;
    }

    /** The messages received so far, one file each, in name order. */
    public List<Path> dumped() throws IOException {
        return Peers.dumps(dumps);
    }

    /** Waits up to {@code seconds} for a message carrying this queue id and returns it. */
    public String awaitDump(String queueId, int seconds) throws Exception {
        return Peers.awaitDump(dumps, queueId, seconds);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
