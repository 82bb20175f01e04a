package io.camelsmtp.smtp.relay.dane.support;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Real DNSSEC on loopback, made at test time (TESTBED.md section 10): zones written here, keys made with
 * {@code dnssec-keygen}, signed with {@code dnssec-signzone}, served by {@code named -g} on a free port, and
 * optionally an {@code unbound -d} validating resolver in front. A signed parent {@code dnssec.test} (the trust
 * anchor is its DS) delegates to
 * <ul>
 * <li>{@code signed.dnssec.test}: signed, with a DS in the parent (secure);</li>
 * <li>{@code plain.dnssec.test}: unsigned, no DS (provably insecure);</li>
 * <li>{@code bogus.dnssec.test}: signed with a DS, then records changed without re-signing (bogus): the A record of
 * {@code mx.} and the TLSA records of {@code _25._tcp.tlsabad.}.</li>
 * </ul>
 * The caller gives each child zone's records (relative names). Every process runs under {@code timeout 300} and is
 * stopped by {@link #close()}; every wait is bounded. Tests skip, loudly, when bind9, bind9-utils or unbound is missing.
 */
public final class DnssecTestbed implements AutoCloseable {

    public static final String PARENT = "dnssec.test";
    private static final Duration READY = Duration.ofSeconds(15);

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private int namedPort;
    private int unboundPort;

    private DnssecTestbed(Path dir) {
        this.dir = dir;
    }

    /** Skips the test unless named, dnssec-keygen and dnssec-signzone are installed. */
    public static void assumeBind() {
        Tools.require("named", "bind9");
        Tools.require("dnssec-keygen", "bind9-utils");
        Tools.require("dnssec-signzone", "bind9-utils");
        Tools.require("timeout", "coreutils");
    }

    /** Signs and serves the zones; {@code signed}, {@code plain}, {@code bogus}: each child zone's own records. */
    public static DnssecTestbed start(Path dir, List<String> signed, List<String> plain, List<String> bogus)
            throws IOException, InterruptedException {
        assumeBind();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        DnssecTestbed t = new DnssecTestbed(dir);
        try {
            t.zone("signed." + PARENT, signed);
            t.zone("plain." + PARENT, plain);
            t.zone("bogus." + PARENT, bogus);
            t.sign("signed." + PARENT);
            t.sign("bogus." + PARENT);
            t.tamper("bogus." + PARENT);
            List<String> parent = new ArrayList<>(List.of("ns A 127.0.0.1", "signed NS ns", "plain NS ns", "bogus NS ns"));
            parent.addAll(Files.readAllLines(dir.resolve("dsset-signed." + PARENT + ".")));
            parent.addAll(Files.readAllLines(dir.resolve("dsset-bogus." + PARENT + ".")));
            t.zone(PARENT, parent);
            t.sign(PARENT);
            t.startNamed();
            return t;
        } catch (IOException | InterruptedException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private void zone(String origin, List<String> records) throws IOException {
        List<String> lines = new ArrayList<>(List.of("$TTL 300", "$ORIGIN " + origin + ".",
                "@ SOA ns." + PARENT + ". hostmaster." + PARENT + ". 1 3600 600 86400 300", "@ NS ns." + PARENT + "."));
        lines.addAll(records);
        Files.write(dir.resolve(origin + ".zone"), lines, StandardCharsets.UTF_8);
    }

    private void sign(String origin) throws IOException, InterruptedException {
        Tools.run(dir, "dnssec-keygen", "-q", "-a", "ECDSAP256SHA256", "-f", "KSK", origin);
        Tools.run(dir, "dnssec-keygen", "-q", "-a", "ECDSAP256SHA256", origin);
        List<String> includes = new ArrayList<>();
        try (Stream<Path> keys = Files.list(dir)) {
            keys.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("K" + origin + ".+") && n.endsWith(".key"))
                    .forEach(n -> includes.add("$INCLUDE " + n));
        }
        Files.write(dir.resolve(origin + ".zone"), includes, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        Tools.run(dir, "dnssec-signzone", "-q", "-O", "full", "-o", origin, "-S", "-K", ".", origin + ".zone");
    }

    /** Changes data of the signed zone without signing again: the RRSIGs no longer fit (bogus). */
    private void tamper(String origin) throws IOException {
        Path signed = dir.resolve(origin + ".zone.signed");
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(signed)) {
            String[] t = line.trim().split("\\s+");
            if (t.length >= 5 && t[3].equals("A") && t[0].startsWith("mx.")) {
                line = line.replace("127.0.0.1", "127.0.0.66");
            } else if (t.length >= 5 && t[3].equals("TLSA") && t[0].startsWith("_25._tcp.tlsabad.")) {
                char last = line.charAt(line.length() - 1);
                line = line.substring(0, line.length() - 1) + (last == '0' ? '1' : '0');
            }
            out.add(line);
        }
        Files.write(signed, out, StandardCharsets.UTF_8);
    }

    private void startNamed() throws IOException, InterruptedException {
        namedPort = freePort();
        String conf = "options { directory \"" + dir + "\"; listen-on port " + namedPort + " { 127.0.0.1; };"
                + " listen-on-v6 { none; }; recursion no; pid-file none; dnssec-validation no; };\n"
                + "controls { };\n"
                + zoneClause(PARENT, PARENT + ".zone.signed") + zoneClause("signed." + PARENT, "signed." + PARENT + ".zone.signed")
                + zoneClause("bogus." + PARENT, "bogus." + PARENT + ".zone.signed")
                + zoneClause("plain." + PARENT, "plain." + PARENT + ".zone");
        Files.writeString(dir.resolve("named.conf"), conf);
        // as root, named runs without -u (with -u bind it cannot read a test folder on some kernels)
        start("named", Tools.which("named"), "-g", "-c", dir.resolve("named.conf").toString());
        awaitAnswer(namedPort, "named");
    }

    private String zoneClause(String zone, String file) {
        return "zone \"" + zone + "\" { type primary; file \"" + dir.resolve(file) + "\"; };\n";
    }

    /** Starts unbound as a validating resolver in front of named, trusting only the parent's DS; returns its port. */
    public int startUnbound() throws IOException, InterruptedException {
        String unbound = Tools.require("unbound", "unbound");
        unboundPort = freePort();
        String conf = "server:\n  interface: 127.0.0.1\n  port: " + unboundPort + "\n  do-ip6: no\n  username: \"\"\n"
                + "  chroot: \"\"\n  directory: \"" + dir + "\"\n  pidfile: \"\"\n  use-syslog: no\n  logfile: \"\"\n"
                + "  do-not-query-localhost: no\n  module-config: \"validator iterator\"\n"
                + "  local-zone: \"test.\" nodefault\n  val-log-level: 2\n"
                + "  trust-anchor: \"" + trustAnchorLine() + "\"\n"
                + "stub-zone:\n  name: \"" + PARENT + "\"\n  stub-addr: 127.0.0.1@" + namedPort + "\n";
        Files.writeString(dir.resolve("unbound.conf"), conf);
        start("unbound", unbound, "-d", "-c", dir.resolve("unbound.conf").toString());
        awaitAnswer(unboundPort, "unbound");
        return unboundPort;
    }

    /** {@link #startUnbound()} unless it runs already. */
    public synchronized void startUnboundOnce() throws IOException, InterruptedException {
        if (unboundPort == 0) {
            startUnbound();
        }
    }

    /** The trust anchor: the parent's DS as in its {@code dsset-} file. */
    public Path trustAnchorFile() {
        return dir.resolve("dsset-" + PARENT + ".");
    }

    private String trustAnchorLine() throws IOException {
        return Files.readAllLines(trustAnchorFile()).get(0).replaceFirst("\\s+IN\\s+", " ").trim();
    }

    public InetSocketAddress named() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), namedPort);
    }

    public InetSocketAddress unbound() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), unboundPort);
    }

    private void start(String name, String... command) throws IOException {
        List<String> cmd = Tools.list("timeout", "300");
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        processes.add(p);
    }

    private void awaitAnswer(int port, String name) throws IOException, InterruptedException {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        r.setTimeout(Duration.ofMillis(300));
        long until = System.nanoTime() + READY.toNanos();
        while (System.nanoTime() < until) {
            if (processes.stream().anyMatch(p -> !p.isAlive())) {
                break;
            }
            try {
                Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(PARENT + "."), Type.SOA, DClass.IN)));
                if (m.getRcode() == Rcode.NOERROR) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IOException(name + " did not answer within " + READY + ": " + Files.readString(dir.resolve(name + ".log")));
    }

    /** A port free for both UDP and TCP on loopback at the time of asking. */
    private static int freePort() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // TCP side in use: try another
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP");
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }
}
