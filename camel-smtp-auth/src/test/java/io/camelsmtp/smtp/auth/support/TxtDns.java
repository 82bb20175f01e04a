package io.camelsmtp.smtp.auth.support;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A loopback UDP DNS responder for TXT records on a free port: records as lists of strings (so a test can publish 200
 * strings), SERVFAIL for names marked so, silence (a time-out) for others, NXDOMAIN (with an SOA, so it
 * is cached) for the rest. Counts questions.
 */
public final class TxtDns implements Closeable {

    private final DatagramSocket socket;
    private final Map<Name, List<List<String>>> records = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> silent = ConcurrentHashMap.newKeySet();
    private final AtomicInteger questions = new AtomicInteger();

    public TxtDns() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::serve, "txt-dns");
        t.setDaemon(true);
        t.start();
    }

    /** One TXT record of one or more strings (each at most 255 octets). */
    public TxtDns txt(String name, List<String> strings) throws IOException {
        records.computeIfAbsent(Name.fromString(name.endsWith(".") ? name : name + "."), n -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(strings);
        return this;
    }

    /** One TXT record, split into 255-octet strings as publishers do. */
    public TxtDns txt(String name, String record) throws IOException {
        List<String> parts = new java.util.ArrayList<>();
        for (int i = 0; i < record.length(); i += 255) {
            parts.add(record.substring(i, Math.min(record.length(), i + 255)));
        }
        return txt(name, parts.isEmpty() ? List.of("") : parts);
    }

    public TxtDns servfail(String name) throws IOException {
        servfail.add(Name.fromString(name.endsWith(".") ? name : name + "."));
        return this;
    }

    public TxtDns silent(String name) throws IOException {
        silent.add(Name.fromString(name.endsWith(".") ? name : name + "."));
        return this;
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
                Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                questions.incrementAndGet();
                Name name = q.getQuestion().getName();
                if (silent.contains(name)) {
                    continue;
                }
                Message a = new Message(q.getHeader().getID());
                a.getHeader().setFlag(Flags.QR);
                a.getHeader().setFlag(Flags.AA);
                a.getHeader().setFlag(Flags.RA);
                a.addRecord(q.getQuestion(), Section.QUESTION);
                List<List<String>> rs = records.get(name);
                if (servfail.contains(name)) {
                    a.getHeader().setRcode(Rcode.SERVFAIL);
                } else if (rs == null) {
                    a.getHeader().setRcode(Rcode.NXDOMAIN);
                    // with an SOA, as real servers answer, so that resolvers may cache the absence (RFC 2308)
                    a.addRecord(new SOARecord(Name.root, DClass.IN, 60, Name.fromString("ns.test."),
                            Name.fromString("hostmaster.test."), 1, 3600, 600, 86400, 60), Section.AUTHORITY);
                } else if (q.getQuestion().getType() == Type.TXT) {
                    for (List<String> strings : rs) {
                        a.addRecord(new TXTRecord(name, DClass.IN, 60, strings), Section.ANSWER);
                    }
                }
                byte[] answer = a.toWire(65000); // loopback carries large datagrams; no TCP needed
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
