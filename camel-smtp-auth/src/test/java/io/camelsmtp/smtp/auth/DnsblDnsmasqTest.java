package io.camelsmtp.smtp.auth;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real peers: dnsmasq serves the test block list bl.test (RFC 5782's test entry 127.0.0.2, an IPv6 entry for ::1, a
 * hostile TXT with CR/LF) and forwards dead.test to a port where nobody answers; swaks connects from loopback
 * addresses (--local-interface) to the YAML route of {@code yaml/inbound-dnsbl.camel.yaml}, run by Camel Main.
 */
class DnsblDnsmasqTest {

    private static final String V6_LOOPBACK_NIBBLES = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0";

    @TempDir
    Path dir;
    private Process dnsmasq;
    private int dnsPort;
    private final List<Main> mains = new ArrayList<>();

    @BeforeEach
    void startDnsmasq() throws Exception {
        Path exe = Stream.of("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        assumeTrue(exe != null, "SKIPPED: dnsmasq (Debian package dnsmasq-base) is not installed, the block list of this test");
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, the client of this test");
        dnsPort = freeUdpAndTcpPort();
        int dead = freeUdpAndTcpPort();
        String conf = String.join("\n",
                "port=" + dnsPort, "listen-address=127.0.0.1", "bind-interfaces", "no-resolv", "no-hosts",
                "keep-in-foreground", "log-facility=-", "pid-file=", "user=", "local-ttl=60",
                "local=/bl.test/",
                "host-record=2.0.0.127.bl.test,127.0.0.2",
                "txt-record=2.0.0.127.bl.test,\"Listed at bl.test: see http://bl.test/lookup?127.0.0.2\"",
                "host-record=3.0.0.127.bl.test,127.0.0.2",
                "txt-record=3.0.0.127.bl.test,\"bad\\r\\n250 2.0.0 Ok\\r\\nMAIL FROM:<x@y>\",\"" + "z".repeat(250) + "\"",
                "host-record=" + V6_LOOPBACK_NIBBLES + ".bl.test,127.0.0.2",
                "txt-record=" + V6_LOOPBACK_NIBBLES + ".bl.test,\"IPv6 loopback listed\"",
                "server=/dead.test/127.0.0.1#" + dead, "");
        Path file = Files.writeString(dir.resolve("dnsmasq.conf"), conf);
        dnsmasq = new ProcessBuilder("timeout", "600", exe.toString(), "-C", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
        awaitDns();
    }

    @AfterEach
    void stop() throws Exception {
        for (Main m : mains) {
            m.stop();
        }
        if (dnsmasq != null) {
            dnsmasq.descendants().forEach(ProcessHandle::destroy);
            dnsmasq.destroy();
            dnsmasq.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static int freeUdpAndTcpPort() throws IOException {
        for (int i = 0; i < 20; i++) {
            int port = AvailablePortFinder.getNextAvailable();
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                return port;
            } catch (IOException taken) {
                // another one
            }
        }
        throw new IllegalStateException("no port free for both UDP and TCP");
    }

    private void awaitDns() throws Exception {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", dnsPort));
        resolver.setTimeout(Duration.ofMillis(300));
        Message query = Message.newQuery(Record.newRecord(Name.fromString("2.0.0.127.bl.test."), Type.A, DClass.IN));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && dnsmasq.isAlive()) {
            try {
                if (resolver.send(query).getRcode() == Rcode.NOERROR) {
                    return;
                }
            } catch (IOException notYet) {
                // not answering yet
            }
            Thread.sleep(10);
        }
        throw new AssertionError("dnsmasq did not answer: " + Files.readString(dir.resolve("dnsmasq.log")));
    }

    private int startYaml(String host, String zones) throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        Main main = new Main();
        mains.add(main);
        main.configure().withRoutesIncludePattern("classpath:yaml/inbound-dnsbl.camel.yaml");
        main.addInitialProperty("smtp.host", host);
        main.addInitialProperty("smtp.port", Integer.toString(port));
        main.addInitialProperty("inbox", dir.resolve("inbox").toString());
        main.addInitialProperty("dnsbl.zones", zones);
        main.addInitialProperty("dns.servers", "127.0.0.1:" + dnsPort);
        main.start();
        return port;
    }

    /** swaks from {@code local} to the listener; its whole transcript. */
    private static String swaks(String server, int port, String local) throws Exception {
        Process p = new ProcessBuilder("swaks", "--server", server, "--port", String.valueOf(port), "--local-interface",
                local, "--from", "alice@client.test", "--to", "bob@example.test", "--helo", "client.test",
                "--body", "hello", "--timeout", "20").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        return out;
    }

    private int stored() throws IOException {
        Path inbox = dir.resolve("inbox");
        if (!Files.isDirectory(inbox)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(inbox)) {
            return (int) s.count();
        }
    }

    @Test
    void rfc5782TestEntryIsRefusedWithTheReasonOthersDeliverAndADeadListNeverBlocks() throws Exception {
        int port = startYaml("127.0.0.1", "dead.test,bl.test");
        String listed = swaks("127.0.0.1", port, "127.0.0.2");
        assertTrue(listed.contains("<** 554 5.7.1 Service unavailable; client [127.0.0.2] blocked using bl.test; "
                                   + "Listed at bl.test: see http://bl.test/lookup?127.0.0.2"), listed);
        assertFalse(listed.contains("MAIL FROM"), "refused before the greeting: " + listed);

        String hostile = swaks("127.0.0.1", port, "127.0.0.3");
        assertTrue(hostile.contains("<** 554 5.7.1 Service unavailable; client [127.0.0.3] blocked using bl.test; bad "
                                    + "250 2.0.0 Ok MAIL FROM:<x@y>zzzzz"), hostile);
        String line = hostile.lines().filter(l -> l.startsWith("<** 554")).findFirst().orElseThrow();
        assertTrue(line.endsWith("..."), line);
        assertTrue(line.length() < 512, line);
        assertFalse(hostile.contains("<** 250 2.0.0 Ok\n") || hostile.contains("<-  250 2.0.0 Ok\n"), hostile);

        String clean = swaks("127.0.0.1", port, "127.0.0.1");
        assertTrue(clean.contains("<-  220 ") && clean.contains("<-  250 2.0.0 Ok: queued as "), clean);
        assertEquals(1, stored());
    }

    @Test
    void anIpv6ClientIsAskedByItsNibbles() throws Exception {
        boolean v6;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            v6 = true;
        } catch (IOException e) {
            v6 = false;
        }
        assumeTrue(v6, "SKIPPED: no IPv6 loopback on this machine");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "SKIPPED: /usr/bin/python3 is not installed");
        int port = startYaml("::1", "bl.test");
        // smtplib, as Debian's swaks needs IO::Socket::INET6 for IPv6
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
                "import smtplib, sys",
                "try:",
                "    smtplib.SMTP('::1', int(sys.argv[1]), source_address=('::1', 0), timeout=20)",
                "    print('accepted')",
                "except smtplib.SMTPConnectError as e:",
                "    print(e.smtp_code, e.smtp_error.decode())"), String.valueOf(port)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals("554 5.7.1 Service unavailable; client [0:0:0:0:0:0:0:1] blocked using bl.test; IPv6 loopback "
                     + "listed", out.strip());
        assertEquals(0, stored());
    }
}
