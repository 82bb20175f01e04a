package io.camelsmtp.smtp.queue.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The spool's {@code deferred/} directory: a message that must wait has its own pair of files there, {@code <id>.eml}
 * (its octets, untouched) and {@code <id>.env} (its envelope block with retry state, replaced atomically). Callers
 * hold the spool's lock on the entry.
 */
final class DeferredFiles {

    private final Path dir;
    private final SpoolFiles files;

    DeferredFiles(Path dir, SpoolFiles files) {
        this.dir = dir;
        this.files = files;
    }

    Path directory() {
        return dir;
    }

    Path eml(String id) {
        return dir.resolve(id + ".eml");
    }

    Path env(String id) {
        return dir.resolve(id + ".env");
    }

    /** Copies a message's octets out of its segment into its own file, then writes its envelope: it can leave the segment. */
    void moveOut(SpoolEntry e, Segment seg) throws IOException {
        try (FileChannel out = files.open(eml(e.id()), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING); InputStream in = new SegmentRegionStream(seg, e.offset(), e.size())) {
            in.transferTo(Channels.newOutputStream(out));
            out.force(false);
        }
        writeEnvelope(e);
    }

    /** Replaces {@code <id>.env} atomically with the entry's envelope and retry state, fsynced, directory included. */
    void writeEnvelope(SpoolEntry e) throws IOException {
        Path env = env(e.id());
        Path tmp = dir.resolve(e.id() + ".env.tmp");
        try (FileChannel out = files.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(EnvelopeCodec.encode(e, true));
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            out.force(false);
        }
        Files.move(tmp, env, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
    }

    void delete(String id) throws IOException {
        Files.deleteIfExists(env(id));
        Files.deleteIfExists(eml(id));
    }

    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
