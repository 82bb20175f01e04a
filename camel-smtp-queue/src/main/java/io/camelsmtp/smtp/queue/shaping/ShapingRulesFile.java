package io.camelsmtp.smtp.queue.shaping;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code shapingRules} file: read at start (a file that is missing or wrong stops the queue's consumer from
 * starting, naming the problem) and read again when its modification time or size changes. A new version that does
 * not parse is refused with an ERROR line and the rules in force stay; {@link #lastError()} says why until a good
 * version is read. Read in full up to {@link ShapingParser#MAX_BYTES} octets; a larger file is refused.
 */
public final class ShapingRulesFile {

    private static final Logger LOG = LoggerFactory.getLogger(ShapingRulesFile.class);

    private final Path path;
    private ShapingConfig current;
    private long modified;
    private long size;
    private byte[] content;
    private volatile String lastError;

    private ShapingRulesFile(Path path) {
        this.path = path;
    }

    /** Reads the file; throws with the reason when it cannot be read or is not a valid rules file. */
    public static ShapingRulesFile open(Path path) throws IOException {
        ShapingRulesFile f = new ShapingRulesFile(path);
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        byte[] b = read(path);
        try {
            f.current = ShapingParser.parse(path.getFileName().toString(), b);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("shaping rules " + path + ": " + e.getMessage(), e);
        }
        f.modified = a.lastModifiedTime().toMillis();
        f.size = a.size();
        f.content = b;
        return f;
    }

    private static byte[] read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] b = in.readNBytes(ShapingParser.MAX_BYTES + 1);
            if (b.length > ShapingParser.MAX_BYTES) {
                throw new IOException(path + " is larger than " + ShapingParser.MAX_BYTES + " octets");
            }
            return b;
        }
    }

    public Path path() {
        return path;
    }

    public ShapingConfig current() {
        return current;
    }

    /** Why the last change of the file was refused, or null when the rules in force are the file's. */
    public String lastError() {
        return lastError;
    }

    /** The new rules when the file changed and is valid, else null (unchanged, unreadable or invalid: logged). */
    public ShapingConfig reloadIfChanged() {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            if (a.lastModifiedTime().toMillis() == modified && a.size() == size) {
                return null;
            }
            byte[] b = read(path);
            modified = a.lastModifiedTime().toMillis();
            size = a.size();
            if (Arrays.equals(b, content)) {
                return null;
            }
            content = b;
            ShapingConfig c = ShapingParser.parse(path.getFileName().toString(), b);
            current = c;
            lastError = null;
            LOG.info("shaping rules {} reloaded: {} site rule(s), {} reaction(s)", path, c.sites().size(), c.reactions().size());
            return c;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage();
            if (!why.equals(lastError)) {
                LOG.error("shaping rules {} not reloaded, the rules in force stay: {}", path, why);
            }
            lastError = why;
            return null;
        }
    }
}
