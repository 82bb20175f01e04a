package io.camelsmtp.smtp.relay.dane.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A hostile DNS server on a free loopback UDP port: answers every A question with 127.0.0.1 and sets the AD bit,
 * claiming a DNSSEC validation it never did, and counts the questions it got.
 */
public final class AdForger implements AutoCloseable {

    private final DatagramSocket socket;
    private final AtomicInteger questions = new AtomicInteger();
    private final Thread thread;

    public AdForger() throws SocketException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "ad-forger");
        thread.setDaemon(true);
        thread.start();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    public int questions() {
        return questions.get();
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                socket.receive(in);
                questions.incrementAndGet();
                Message q = new Message(java.util.Arrays.copyOf(in.getData(), in.getLength()));
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.getHeader().setFlag(Flags.RA);
                r.getHeader().setFlag(Flags.AD);
                Record question = q.getQuestion();
                r.addRecord(question, Section.QUESTION);
                if (question.getType() == Type.A) {
                    r.addRecord(new ARecord(question.getName(), DClass.IN, 300, InetAddress.getLoopbackAddress()),
                            Section.ANSWER);
                }
                byte[] out = r.toWire();
                socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // closed, or a question it could not read: go on or end
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
