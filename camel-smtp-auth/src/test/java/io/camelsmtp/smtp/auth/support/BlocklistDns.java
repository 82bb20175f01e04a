package io.camelsmtp.smtp.auth.support;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A hostile-on-demand block list server on a free loopback UDP port: A and TXT records as a test gives them (any
 * address, 200 strings, CR/LF, 10 KB), answers of the wrong type, SERVFAIL, silence, or a delay per name. Counts the
 * questions per name and type (to see the cache work; a question asked again over TCP after a truncated datagram
 * counts twice). TTL 60; UDP answers over 512 octets are truncated and the full answer comes over TCP.
 */
public final class BlocklistDns implements Closeable {

    private final DatagramSocket socket;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> silent = ConcurrentHashMap.newKeySet();
    private final Set<Name> wrongType = ConcurrentHashMap.newKeySet();
    private final Map<Name, Long> delays = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> questions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "blocklist-dns-later");
        t.setDaemon(true);
        return t;
    });

    private final ServerSocket tcp;

    public BlocklistDns() throws IOException {
        DatagramSocket udp = null;
        ServerSocket stream = null;
        for (int i = 0; i < 20 && stream == null; i++) { // the same port for UDP and TCP, as a name server has
            udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                stream = new ServerSocket();
                stream.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort()));
            } catch (IOException taken) {
                stream.close();
                stream = null;
                udp.close();
            }
        }
        if (stream == null) {
            throw new IOException("no port free for both UDP and TCP");
        }
        socket = udp;
        tcp = stream;
        Thread t = new Thread(this::serve, "blocklist-dns");
        t.setDaemon(true);
        t.start();
        Thread t2 = new Thread(this::serveTcp, "blocklist-dns-tcp");
        t2.setDaemon(true);
        t2.start();
    }

    /** Answers too large for a 512-octet datagram come over TCP, after a truncated one (as real servers do). */
    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket c = tcp.accept()) {
                c.setSoTimeout(5_000);
                DataInputStream in = new DataInputStream(c.getInputStream());
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                Message q = new Message(query);
                count(q);
                byte[] answer = answer(q, q.getQuestion().getName(), q.getQuestion().getType()).toWire(65535);
                DataOutputStream out = new DataOutputStream(c.getOutputStream());
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            } catch (IOException | RuntimeException e) {
                if (tcp.isClosed()) {
                    return;
                }
            }
        }
    }

    private void count(Message q) {
        questions.computeIfAbsent(q.getQuestion().getName().toString().toLowerCase() + "/"
                                  + Type.string(q.getQuestion().getType()), k -> new AtomicInteger()).incrementAndGet();
    }

    private static Name name(String name) throws TextParseException {
        return Name.fromString(name.endsWith(".") ? name : name + ".");
    }

    public BlocklistDns a(String name, String... addresses) throws IOException {
        for (String a : addresses) {
            records.computeIfAbsent(name(name), n -> new CopyOnWriteArrayList<>())
                    .add(new ARecord(name(name), DClass.IN, 60, InetAddress.getByName(a)));
        }
        return this;
    }

    /** One TXT record of these strings (each at most 255 octets). */
    public BlocklistDns txt(String name, List<String> strings) throws IOException {
        records.computeIfAbsent(name(name), n -> new CopyOnWriteArrayList<>())
                .add(new TXTRecord(name(name), DClass.IN, 60, strings));
        return this;
    }

    public BlocklistDns servfail(String name) throws IOException {
        servfail.add(name(name));
        return this;
    }

    public BlocklistDns silent(String name) throws IOException {
        silent.add(name(name));
        return this;
    }

    /** Every question for this name is answered with its records of the other type (TXT for A, A for TXT). */
    public BlocklistDns wrongType(String name) throws IOException {
        wrongType.add(name(name));
        return this;
    }

    public BlocklistDns delay(String name, long millis) throws IOException {
        delays.put(name(name), millis);
        return this;
    }

    public int questions(String name, int type) {
        AtomicInteger n = questions.get(name.toLowerCase() + (name.endsWith(".") ? "" : ".") + "/" + Type.string(type));
        return n == null ? 0 : n.get();
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
                Name name = q.getQuestion().getName();
                int type = q.getQuestion().getType();
                count(q);
                if (silent.contains(name)) {
                    continue;
                }
                byte[] answer = answer(q, name, type).toWire(512); // truncated (TC) when larger: then TCP
                SocketAddress to = p.getSocketAddress();
                Long delay = delays.get(name);
                if (delay != null) {
                    later.schedule(() -> send(answer, to), delay, TimeUnit.MILLISECONDS);
                } else {
                    send(answer, to);
                }
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private Message answer(Message q, Name name, int type) {
        Message a = new Message(q.getHeader().getID());
        a.getHeader().setFlag(Flags.QR);
        a.getHeader().setFlag(Flags.AA);
        a.getHeader().setFlag(Flags.RA);
        a.addRecord(q.getQuestion(), Section.QUESTION);
        List<Record> rs = records.get(name);
        if (servfail.contains(name)) {
            a.getHeader().setRcode(Rcode.SERVFAIL);
        } else if (rs == null) {
            // with the SOA a real list sends, so that resolvers may cache the NXDOMAIN (RFC 2308)
            a.getHeader().setRcode(Rcode.NXDOMAIN);
            try {
                Name zone = new Name(name, Math.max(0, name.labels() - 3)); // the last two labels and the root
                a.addRecord(new SOARecord(zone, DClass.IN, 60, Name.fromString("ns.test."),
                        Name.fromString("hostmaster.test."), 1, 3600, 600, 86400, 60), Section.AUTHORITY);
            } catch (TextParseException e) {
                throw new IllegalStateException(e);
            }
        } else {
            boolean wrong = wrongType.contains(name);
            for (Record r : rs) {
                if ((r.getType() == type) != wrong) {
                    a.addRecord(r, Section.ANSWER);
                }
            }
        }
        return a;
    }

    private void send(byte[] answer, SocketAddress to) {
        try {
            socket.send(new DatagramPacket(answer, answer.length, to));
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing
        }
        later.shutdownNow();
    }
}
