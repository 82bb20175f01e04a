package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where messages above the spool threshold are written while their route runs. Without a configured directory each
 * listener makes its own, {@code camel-smtp-<random>} under {@code java.io.tmpdir} with mode 0700, and removes it
 * when it stops; a fixed name in a shared directory could be made beforehand by another user. A configured directory
 * is created (0700) when missing and must otherwise belong to the user this JVM runs as and be writable by nobody
 * else, or {@link #open()} fails naming it. Every file is 0600, whatever the umask. Both checks are for POSIX file
 * systems; elsewhere the platform's defaults apply.
 */
public final class SpoolDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolDirectory.class);
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private final Path configured;
    private final boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private volatile Path current;
    private volatile UserPrincipal me;

    /** @param configured the spoolDirectory option, or null for a private directory of each listener */
    public SpoolDirectory(String configured) {
        this.configured = configured == null || configured.isBlank() ? null : Path.of(configured);
    }

    /** Makes or checks the directory; called when the listener starts. */
    synchronized Path open() throws IOException {
        current = configured == null ? createPrivate() : checkConfigured(configured);
        return current;
    }

    /** Removes the listener's own directory when nothing is left in it; called when the listener has stopped. */
    synchronized void close() {
        Path dir = current;
        current = null;
        if (configured != null || dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            // a message whose route outlived replyTimeout is still in it; its Exchange deletes it when done
            LOG.debug("Spool directory {} still holds a message; left in place", dir);
        } catch (IOException e) {
            LOG.debug("Cannot remove spool directory {}: {}", dir, e.toString());
        }
    }

    /** The directory in use, or null when not listening. */
    public Path path() {
        return current;
    }

    /**
     * A new, empty file (0600) for one message. The directory is checked again first: should it have gone (a temp
     * cleaner) or changed hands meanwhile, the listener's own is made anew and a configured one refuses.
     */
    Path newFile() throws IOException {
        Path dir = current;
        if (dir == null) {
            throw new IOException("smtp-server is not listening: no spool directory");
        }
        if (posix) {
            try {
                // not following links: a link put where the directory was is "not a directory"
                PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                checkPrivate(dir, a);
                checkOwner(dir, a, me);
            } catch (IOException changed) {
                if (configured != null) {
                    throw changed;
                }
                LOG.warn("Spool directory {} is gone or changed ({}); making a new one", dir, changed.getMessage());
                dir = reopen(dir);
            }
        }
        Path file = posix ? Files.createTempFile(dir, "smtp-", ".eml", PosixFilePermissions.asFileAttribute(FILE))
                : Files.createTempFile(dir, "smtp-", ".eml");
        if (posix) {
            Files.setPosixFilePermissions(file, FILE);
        }
        return file;
    }

    private synchronized Path reopen(Path failed) throws IOException {
        if (current == failed) {
            current = createPrivate();
        }
        return current;
    }

    private Path createPrivate() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (!posix) {
            return Files.createTempDirectory(tmp, "camel-smtp-");
        }
        Path dir = Files.createTempDirectory(tmp, "camel-smtp-", PosixFilePermissions.asFileAttribute(DIRECTORY));
        Files.setPosixFilePermissions(dir, DIRECTORY);
        me = Files.getOwner(dir);
        return dir;
    }

    private Path checkConfigured(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] { PosixFilePermissions.asFileAttribute(DIRECTORY) }
                    : new FileAttribute<?>[0];
            Files.createDirectories(dir, attrs);
            if (posix) {
                Files.setPosixFilePermissions(dir, DIRECTORY);
            }
        }
        // the real directory: a symbolic link swapped later cannot redirect the files
        Path real = dir.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IOException("smtp-server spoolDirectory " + dir + " is not a directory");
        }
        if (posix) {
            PosixFileAttributes a = Files.readAttributes(real, PosixFileAttributes.class);
            checkPrivate(real, a);
            me = owner(real, a);
            checkOwner(real, a, me);
        }
        return real;
    }

    private static void checkPrivate(Path dir, PosixFileAttributes a) throws IOException {
        if (!a.isDirectory()) {
            throw new IOException("smtp-server spoolDirectory " + dir + " is not a directory");
        }
        Set<PosixFilePermission> p = a.permissions();
        if (p.contains(PosixFilePermission.OTHERS_WRITE) || p.contains(PosixFilePermission.GROUP_WRITE)) {
            throw new IOException("smtp-server spoolDirectory " + dir + " is writable by "
                                  + (p.contains(PosixFilePermission.OTHERS_WRITE) ? "others" : "its group") + " (mode "
                                  + PosixFilePermissions.toString(p) + "); make it private: chmod 700 " + dir);
        }
    }

    private static void checkOwner(Path dir, PosixFileAttributes a, UserPrincipal me) throws IOException {
        if (!a.owner().equals(me)) {
            throw new IOException("smtp-server spoolDirectory " + dir + " is owned by " + a.owner().getName()
                                  + ", not by " + me.getName() + " (the user this JVM runs as); other users could read or"
                                  + " replace the messages spooled there");
        }
    }

    /**
     * The user this JVM creates files as: the owner of a file it just made in {@code dir}. (The user.name property
     * names no user in containers that run with an arbitrary uid.)
     */
    private static UserPrincipal owner(Path dir, PosixFileAttributes a) throws IOException {
        Path probe;
        try {
            probe = Files.createTempFile(dir, ".owner-", ".probe", PosixFilePermissions.asFileAttribute(FILE));
        } catch (IOException e) {
            throw new IOException("smtp-server cannot write in spoolDirectory " + dir + " (owned by "
                                  + a.owner().getName() + "): " + e, e);
        }
        try {
            return Files.getOwner(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
    }
}
