package io.camelsmtp.smtp.relay.mtasts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTA-STS policies in use, by domain, each until its {@code max_age} runs out (RFC 8461 §5.1). With a directory
 * ({@code mtaStsCacheDirectory}) every policy fetched is also written there, so that a restart does not forget the
 * policies and open a downgrade window: one file per domain, written to a temporary file, forced to disk and
 * renamed over the old one, the directory then forced too. A file is read back when its domain is first asked
 * about, at most {@value #MAX_FILE} bytes, and its policy parsed again: anything that does not fit is ignored (and
 * logged), never half-used.
 */
public final class PolicyCache {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyCache.class);
    private static final String MAGIC = "camel-smtp mta-sts cache 1";
    static final int MAX_FILE = StsPolicy.MAX_SIZE + 1024;

    /** One cached policy: the TXT id it was fetched under, when, and the policy. */
    public record Entry(String domain, String id, Instant fetched, StsPolicy policy) {
        public Instant expires() {
            return fetched.plusSeconds(policy.maxAge());
        }

        boolean expired(Instant now) {
            return !now.isBefore(expires());
        }
    }

    private static final Entry NOTHING = new Entry("", "", Instant.EPOCH, new StsPolicy(StsPolicy.Mode.NONE, 0,
            java.util.List.of(), java.util.List.of()));

    private final Path directory;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** @param directory where policies persist, or null to keep them in memory only */
    public PolicyCache(Path directory) throws IOException {
        this.directory = directory;
        if (directory != null) {
            Files.createDirectories(directory);
        }
    }

    /** The policy of {@code domain} (a validated lower-case A-label name) that has not expired, or null. */
    public Entry get(String domain, Instant now) {
        Entry e = entries.computeIfAbsent(domain, this::load);
        return e == NOTHING || e.expired(now) ? null : e;
    }

    /** Remembers a freshly fetched policy (and writes it to the directory, if any). */
    public void put(Entry e) {
        entries.put(e.domain(), e);
        if (directory != null) {
            try {
                write(e);
            } catch (IOException | RuntimeException x) {
                LOG.warn("Could not persist the MTA-STS policy of {} in {}: {}", e.domain(), directory, x.toString());
            }
        }
    }

    private Path file(String domain) {
        return directory.resolve(domain + ".sts");
    }

    private void write(Entry e) throws IOException {
        String text = MAGIC + "\n" + "domain: " + e.domain() + "\n" + "id: " + e.id() + "\n" + "fetched: "
                      + e.fetched().getEpochSecond() + "\n\n" + String.join("\n", e.policy().lines()) + "\n";
        Path tmp = Files.createTempFile(directory, e.domain() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(tmp, file(e.domain()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException x) {
                Files.move(tmp, file(e.domain()), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true); // the rename itself survives a crash
        } catch (IOException x) {
            // not every file system lets a directory be opened; the rename is still atomic
        }
    }

    private Entry load(String domain) {
        if (directory == null) {
            return NOTHING;
        }
        Path f = file(domain);
        byte[] raw;
        try (InputStream in = Files.newInputStream(f)) {
            raw = in.readNBytes(MAX_FILE + 1);
        } catch (NoSuchFileException e) {
            return NOTHING;
        } catch (IOException e) {
            LOG.warn("Could not read the cached MTA-STS policy {}: {}", f, e.toString());
            return NOTHING;
        }
        try {
            return parse(domain, raw);
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring the cached MTA-STS policy {}: {}", f, e.getMessage());
            return NOTHING;
        }
    }

    /** Reads a cache file back; throws IllegalArgumentException on anything unexpected. */
    static Entry parse(String domain, byte[] raw) {
        if (raw.length > MAX_FILE) {
            throw new IllegalArgumentException("larger than " + MAX_FILE + " bytes");
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        int blank = text.indexOf("\n\n");
        if (blank < 0) {
            throw new IllegalArgumentException("no header");
        }
        String[] head = text.substring(0, blank).split("\n", -1);
        if (head.length != 4 || !head[0].equals(MAGIC) || !head[1].equals("domain: " + domain) || !head[2].startsWith("id: ")
                || !head[3].matches("fetched: [0-9]{1,12}")) {
            throw new IllegalArgumentException("unexpected header");
        }
        String id = head[2].substring(4);
        StsRecord.parse("v=STSv1; id=" + id); // the id must be one a TXT record could carry
        Instant fetched = Instant.ofEpochSecond(Long.parseLong(head[3].substring(9)));
        StsPolicy policy = StsPolicy.parse(text.substring(blank + 2).getBytes(StandardCharsets.UTF_8));
        return new Entry(domain, id, fetched, policy);
    }
}
