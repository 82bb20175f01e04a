package io.camelsmtp.smtp.relay.support;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A UDP DNS responder for fast unit tests, answering from master-file lines: NXDOMAIN for unknown names, NODATA for a
 * known name without the type asked, SERVFAIL for names marked so, a chosen RCODE or no answer at all for one type of
 * a name (what a resolver that mishandles AAAA does), and CNAMEs followed. It counts the questions it was asked, per
 * name and type. Real-DNS tests use dnsmasq.
 */
public final class InJvmDns implements Closeable {

    private final DatagramSocket socket;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    /** name + " " + type -> RCODE to answer with, or -1 to answer nothing. */
    private final Map<String, Integer> perType = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private final Thread thread;

    public InJvmDns() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "in-jvm-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** Adds a record in master-file form, e.g. {@code add("a.test. 0 IN MX 10 mx.a.test.")}. */
    public InJvmDns add(String line) throws IOException {
        String[] parts = line.trim().split("\\s+", 5);
        Record r = Record.fromString(Name.fromString(parts[0]), org.xbill.DNS.Type.value(parts[3]), org.xbill.DNS.DClass.IN,
                Long.parseLong(parts[1]), parts[4], Name.root);
        List<Record> rs = records.computeIfAbsent(r.getName(), n -> new java.util.concurrent.CopyOnWriteArrayList<>());
        rs.add(r);
        return this;
    }

    /** Replaces the records of the line's name and type with this one (e.g. a TXT record that changed). */
    public InJvmDns set(String line) throws IOException {
        String[] parts = line.trim().split("\\s+", 5);
        Name name = Name.fromString(parts[0]);
        int type = org.xbill.DNS.Type.value(parts[3]);
        List<Record> rs = records.get(name);
        if (rs != null) {
            rs.removeIf(r -> r.getType() == type);
        }
        return add(line);
    }

    public InJvmDns servfail(String name) throws IOException {
        servfail.add(Name.fromString(name));
        return this;
    }

    /** Answers {@code type} questions for {@code name} with {@code rcode} (e.g. {@code Rcode.REFUSED}), other types as usual. */
    public InJvmDns rcode(String name, String type, int rcode) {
        perType.put(key(name, type), rcode);
        return this;
    }

    /** Never answers {@code type} questions for {@code name}, so that the asker times out; other types as usual. */
    public InJvmDns silent(String name, String type) {
        perType.put(key(name, type), -1);
        return this;
    }

    private static String key(String name, String type) {
        String absolute = name.endsWith(".") ? name : name + ".";
        return absolute.toLowerCase(Locale.ROOT) + " " + type.toUpperCase(Locale.ROOT);
    }

    /** How often {@code name} was asked for, e.g. {@code queries("mx1.a.test.", "A")}. */
    public int queries(String name, String type) {
        AtomicInteger n = asked.get(key(name, type));
        return n == null ? 0 : n.get();
    }

    /** How often {@code name} was asked for, any type. */
    public int queries(String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + " ";
        return asked.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToInt(e -> e.getValue().get()).sum();
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
                Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                Message a = answer(q);
                if (a == null) {
                    continue; // silent for this name and type
                }
                byte[] answer = a.toWire(512);
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    /** The answer to {@code q}, or null to send none. */
    private Message answer(Message q) {
        Message a = new Message(q.getHeader().getID());
        a.getHeader().setFlag(Flags.QR);
        a.getHeader().setFlag(Flags.AA);
        a.getHeader().setFlag(Flags.RA);
        Record question = q.getQuestion();
        String key = key(question.getName().toString(), org.xbill.DNS.Type.string(question.getType()));
        asked.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        a.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        Integer rcode = perType.get(key);
        if (rcode != null && rcode < 0) {
            return null;
        }
        if (rcode != null) {
            a.getHeader().setRcode(rcode);
            return a;
        }
        if (servfail.contains(name)) {
            a.getHeader().setRcode(Rcode.SERVFAIL);
            return a;
        }
        for (int hops = 0; hops < 8; hops++) {
            List<Record> rs = records.get(name);
            if (rs == null) {
                a.getHeader().setRcode(Rcode.NXDOMAIN);
                return a;
            }
            Record cname = rs.stream().filter(r -> r instanceof CNAMERecord).findFirst().orElse(null);
            if (cname != null && question.getType() != org.xbill.DNS.Type.CNAME) {
                a.addRecord(cname, Section.ANSWER);
                name = ((CNAMERecord) cname).getTarget();
                continue;
            }
            for (Record r : rs) {
                if (r.getType() == question.getType()) {
                    a.addRecord(r, Section.ANSWER);
                }
            }
            return a;
        }
        return a;
    }

    @Override
    public void close() {
        socket.close();
    }
}
