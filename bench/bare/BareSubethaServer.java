import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Baseline for the inbound benchmark: SubEthaSMTP 7.1.7 alone, no Camel. Accepts every sender and recipient and
 * either discards each message (reads it to the end) or stores it the way examples' FsyncMailbox does: temporary
 * file, fsync, rename, directory fsync, before the 250 is sent.
 * <p>
 * Every other setting is the library's default, on purpose: listen backlog 50, maxConnections 1000, a cached thread
 * pool, 60 s connection timeout, Received header inserted.
 * <p>
 * Run with the single-file source launcher:
 * {@code java -cp 'APP_DIR/lib/*' bench/bare/BareSubethaServer.java PORT discard|fsync DIR}
 * <p>
 * {@code -Dbench.backlog=N} overrides the listen backlog; it is not used for the baseline figures, only for the
 * backlog experiment described in docs/benchmarks.md.
 */
public final class BareSubethaServer {

    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final String PREFIX = Long.toString(ProcessHandle.current().pid(), 36) + "-"
                                         + Long.toString(System.currentTimeMillis(), 36) + "-";

    private BareSubethaServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[1].equals("discard") || args[1].equals("fsync"))
                || (args[1].equals("fsync") && args.length < 3)) {
            System.err.println("usage: java -cp 'lib/*' BareSubethaServer.java PORT discard|fsync [DIR]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        boolean fsync = args[1].equals("fsync");
        Path dir = args.length > 2 ? Path.of(args[2]) : null;
        if (dir != null) {
            Files.createDirectories(dir);
        }
        SMTPServer.Builder builder = SMTPServer.port(port)
                .bindAddress(InetAddress.getLoopbackAddress())
                .messageHandlerFactory(context -> new Handler(fsync ? dir : null));
        String backlog = System.getProperty("bench.backlog");
        if (backlog != null) {
            // only for the experiment in docs/benchmarks.md; the baseline keeps the library default (50)
            builder.backlog(Integer.parseInt(backlog));
        }
        SMTPServer server = builder.build();
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "stop"));
        System.out.println("bare subethasmtp listening on 127.0.0.1:" + server.getPortAllocated() + " mode=" + args[1]
                           + " backlog=" + server.getBacklog());
        Thread.currentThread().join();
    }

    /** One mail transaction. */
    private static final class Handler implements MessageHandler {

        private final Path dir;

        Handler(Path dir) {
            this.dir = dir;
        }

        @Override
        public void from(String from) {
            // accept every sender
        }

        @Override
        public void recipient(String recipient) {
            // accept every recipient
        }

        @Override
        public String data(InputStream data) throws IOException {
            if (dir == null) {
                data.transferTo(OutputStream.nullOutputStream());
                return null;
            }
            String id = PREFIX + SEQUENCE.incrementAndGet();
            Path tmp = dir.resolve("." + id + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                data.transferTo(Channels.newOutputStream(ch));
                ch.force(true);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, dir.resolve(id + ".eml"), StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
            return null;
        }

        @Override
        public void done() {
            // nothing to release
        }
    }
}
