package io.camelsmtp.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import static io.camelsmtp.examples.support.Peers.freePort;

/**
 * A real Kafka broker for tests: Kafka 4 in KRaft mode, broker and controller in one process, on two free loopback
 * ports, with its log directory under {@code dir}. The storage is formatted in this JVM; the broker runs as a separate
 * JVM on the test's own class path (which holds the broker's jars, test scope in examples/pom.xml, the same Kafka
 * release as camel-kafka's clients), so a test can kill it like a crashed broker and start it again on the same data.
 * The child runs under {@code timeout 900}, so a killed test JVM leaves no broker behind for long; its output goes to
 * {@code dir/broker.log}.
 */
final class KafkaBroker implements AutoCloseable {

    private final Path dir;
    private final Path config;
    private final int port;
    private Process process;
    private Thread shutdownHook;

    private KafkaBroker(Path dir, int port, Path config) {
        this.dir = dir;
        this.port = port;
        this.config = config;
    }

    /** Formats a fresh log directory in {@code dir} and starts the broker; returns once it answers. */
    static KafkaBroker start(Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        int controllerPort = freePort();
        Path logs = dir.resolve("logs");
        String properties = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + logs,
                "num.partitions=2",
                // one broker: internal topics with one replica and one partition (50 by default: slow to create)
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "share.coordinator.state.topic.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                // a restarted broker registers again only once its old session has expired (9 s by default)
                "broker.session.timeout.ms=3000",
                "broker.heartbeat.interval.ms=500",
                "");
        Path config = Files.writeString(dir.resolve("server.properties"), properties);
        KafkaBroker broker = new KafkaBroker(dir, port, config);
        broker.format(logs);
        broker.startProcess();
        return broker;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Kills the broker at once (SIGKILL), as a crash would. */
    void kill() throws Exception {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Starts the broker again on the data it had. */
    void restart() throws Exception {
        kill();
        startProcess();
    }

    @Override
    public void close() throws Exception {
        kill();
        if (shutdownHook != null) {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
            shutdownHook = null;
        }
    }

    private List<String> java(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of("timeout", "900",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** What {@code kafka-storage.sh format} does, in this JVM: saves starting one more (2 to 10 s here). */
    private void format(Path logs) throws Exception {
        try (PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve("format.log")), true,
                StandardCharsets.UTF_8)) {
            new Formatter().setPrintStream(out).setNodeId(1).setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER").setMetadataLogDirectory(logs.toString())
                    .setDirectories(List.of(logs.toString())).setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        }
    }

    private void startProcess() throws Exception {
        Path log = dir.resolve("broker.log");
        process = new ProcessBuilder(java("kafka.Kafka", config.toString())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (shutdownHook == null) {
            shutdownHook = new Thread(() -> {
                Process p = process;
                if (p != null) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            });
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        awaitReady(log);
    }

    /** Ready when its port accepts and it answers a metadata request with itself as a node. */
    private void awaitReady(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!accepts() && System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("kafka broker exited with " + process.exitValue() + ": " + tail(log));
            }
            Thread.sleep(50);
        }
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("kafka broker exited with " + process.exitValue() + ": "
                                                    + tail(log));
                }
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    Thread.sleep(100);
                }
            }
        }
        throw new IllegalStateException("kafka broker not ready on " + bootstrap() + " after 90 s: " + tail(log));
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

}
