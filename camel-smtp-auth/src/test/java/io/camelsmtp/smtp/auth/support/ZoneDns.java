package io.camelsmtp.smtp.auth.support;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A loopback UDP DNS server on a free port serving a zone that a test can replace at once (one scenario of the RFC
 * 7208 suite after another): NXDOMAIN for unknown names, NODATA for a known name without the type, CNAMEs answered
 * with one level of their target (as the suite's driver does), and per name a "time-out" after the records given
 * (the suite's {@code TIMEOUT}: a type with no record before it times out), answered as SERVFAIL or not at all.
 */
public final class ZoneDns implements Closeable {

    /** One name's data: records, and whether a TIMEOUT follows them. */
    public record Node(List<Record> records, boolean timeout) {
    }

    private final DatagramSocket socket;
    private volatile Map<Name, Node> zone = Map.of();
    private volatile boolean silentTimeouts;
    private volatile long delayMillis;
    private final AtomicInteger questions = new AtomicInteger();
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();

    private final java.net.ServerSocket tcp;

    public ZoneDns() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        tcp = new java.net.ServerSocket(socket.getLocalPort(), 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "zone-dns");
        t.setDaemon(true);
        t.start();
        Thread tt = new Thread(this::serveTcp, "zone-dns-tcp");
        tt.setDaemon(true);
        tt.start();
    }

    /** DNS over TCP (RFC 7766), for answers too large for the client's UDP size: one question per connection. */
    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (java.net.Socket s = tcp.accept()) {
                s.setSoTimeout(5000);
                java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                byte[] q = new byte[in.readUnsignedShort()];
                in.readFully(q);
                questions.incrementAndGet();
                Message a = answer(new Message(q));
                if (a != null) {
                    byte[] out = a.toWire(65535);
                    java.io.DataOutputStream o = new java.io.DataOutputStream(s.getOutputStream());
                    o.writeShort(out.length);
                    o.write(out);
                    o.flush();
                }
            } catch (IOException | RuntimeException e) {
                if (tcp.isClosed()) {
                    return;
                }
            }
        }
    }

    public void zone(Map<Name, Node> zone) {
        this.zone = new ConcurrentHashMap<>(zone);
    }

    /** Adds a record in master-file form, e.g. {@code add("a.test. 60 IN TXT \"v=spf1 -all\"")}. */
    public ZoneDns add(String line) throws IOException {
        String[] parts = line.strip().split("\\s+", 5);
        Record r = Record.fromString(Name.fromString(parts[0]), Type.value(parts[3]), org.xbill.DNS.DClass.IN,
                Long.parseLong(parts[1]), parts[4], Name.root);
        Map<Name, Node> z = new ConcurrentHashMap<>(zone);
        Node n = z.get(r.getName());
        List<Record> records = new ArrayList<>(n == null ? List.of() : n.records());
        records.add(r);
        z.put(r.getName(), new Node(records, n != null && n.timeout()));
        zone = z;
        return this;
    }

    /** Every question about {@code name} for which it has no record times out. */
    public ZoneDns timeout(String name) throws IOException {
        Map<Name, Node> z = new ConcurrentHashMap<>(zone);
        Name n = Name.fromString(name.endsWith(".") ? name : name + ".");
        Node node = z.get(n);
        z.put(n, new Node(node == null ? List.of() : node.records(), true));
        zone = z;
        return this;
    }

    /** Each answer is sent this late (a slow but working DNS). */
    public void delay(long millis) {
        this.delayMillis = millis;
    }

    /** How often {@code name} was asked for with {@code type}, e.g. {@code questions("a.test.", "TXT")}. */
    public int questions(String name, String type) {
        AtomicInteger n = asked.get(name.toLowerCase(java.util.Locale.ROOT) + " " + type);
        return n == null ? 0 : n.get();
    }

    /** Time-outs are silence (the resolver's time-out runs) instead of SERVFAIL. */
    public void silentTimeouts(boolean silent) {
        this.silentTimeouts = silent;
    }

    public int questions() {
        return questions.get();
    }

    public String server() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[1500];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                Message q = new Message(Arrays.copyOf(p.getData(), p.getLength()));
                questions.incrementAndGet();
                asked.computeIfAbsent(q.getQuestion().getName().toString().toLowerCase(java.util.Locale.ROOT) + " "
                                      + Type.string(q.getQuestion().getType()), k -> new AtomicInteger()).incrementAndGet();
                Message a = answer(q);
                if (delayMillis > 0) {
                    try {
                        Thread.sleep(delayMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (a == null) {
                    continue;
                }
                byte[] out = a.toWire(65000);
                int max = q.getOPT() != null ? Math.max(512, q.getOPT().getPayloadSize()) : 512;
                if (out.length > max) { // too large for the client: truncated, it asks again over TCP
                    Message tc = new Message(q.getHeader().getID());
                    tc.getHeader().setFlag(Flags.QR);
                    tc.getHeader().setFlag(Flags.TC);
                    tc.addRecord(q.getQuestion(), Section.QUESTION);
                    out = tc.toWire();
                }
                socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private Message answer(Message q) {
        Name name = q.getQuestion().getName();
        int type = q.getQuestion().getType();
        Message a = new Message(q.getHeader().getID());
        a.getHeader().setFlag(Flags.QR);
        a.getHeader().setFlag(Flags.AA);
        a.getHeader().setFlag(Flags.RA);
        a.addRecord(q.getQuestion(), Section.QUESTION);
        Node node = zone.get(name);
        if (node == null) {
            boolean error = name.toString().toLowerCase(java.util.Locale.ROOT).startsWith("error.");
            a.getHeader().setRcode(error ? Rcode.SERVFAIL : Rcode.NXDOMAIN);
            return error && silentTimeouts ? null : a;
        }
        List<Record> answers = new ArrayList<>();
        for (Record r : node.records()) {
            if (r.getType() == type) {
                answers.add(r);
            } else if (r instanceof CNAMERecord c && type != Type.CNAME) {
                answers.add(r);
                Node target = zone.get(c.getTarget());
                if (target != null) {
                    target.records().stream().filter(t -> t.getType() == type).forEach(answers::add);
                }
            }
        }
        if (answers.isEmpty() && node.timeout()) {
            if (silentTimeouts) {
                return null;
            }
            a.getHeader().setRcode(Rcode.SERVFAIL);
            return a;
        }
        answers.forEach(r -> a.addRecord(r, Section.ANSWER));
        return a;
    }

    @Override
    public void close() {
        socket.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
