package io.camelsmtp.examples.delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * The file steps the mailbox beans ({@link FsyncMailbox}, {@link MaildirDelivery}) share so that a message they have
 * stored survives a crash: content is fsynced under a temporary name, renamed atomically into place, and the directory
 * holding the new name is fsynced (a rename lives in the directory, not in the file). Only then may the SMTP client get
 * its 250.
 * <p>
 * Mail is private: every directory made here is {@code rwx------} and every file {@code rw-------}, whatever the
 * process's umask (created with those permissions, so they are never wider, then set exactly, since a umask such as
 * 0277 would leave them narrower than the owner needs). What existed before keeps its permissions. On a file system
 * without POSIX permissions the platform's defaults apply.
 */
public final class DurableFiles {

    /** Writes a file's content; may be called once. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

    private DurableFiles() {
    }

    /**
     * Writes the content into {@code file} and fsyncs it (data and metadata, the owner included). When anything fails
     * the file is removed.
     *
     * @param createNew fail if the file exists (unique names); otherwise an existing file is overwritten
     * @param owner     the file's owner, or null to leave it to the process
     * @return the file's size in octets
     */
    public static long write(Path file, boolean createNew, UserPrincipal owner, Content content) throws IOException {
        StandardOpenOption create = createNew ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE;
        try (FileChannel ch = FileChannel.open(file, Set.of(create, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), attributes(file, PRIVATE_FILE))) {
            try {
                restrict(file, PRIVATE_FILE);
                content.writeTo(Channels.newOutputStream(ch));
                if (owner != null) {
                    Files.setOwner(file, owner);
                }
                ch.force(true);
                return ch.size();
            } catch (IOException | RuntimeException e) {
                deleteQuietly(file, e);
                throw e;
            }
        }
    }

    /** Renames atomically, then fsyncs the target's directory so that the new name is on disk. */
    public static void rename(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(to.getParent());
    }

    /**
     * Creates a directory whose parent exists (an existing directory is fine), gives it the owner, and fsyncs it and
     * its parent so that the new entry is on disk before anything is stored in it.
     */
    public static void createDirectory(Path dir, UserPrincipal owner) throws IOException {
        try {
            Files.createDirectory(dir, attributes(dir, PRIVATE_DIRECTORY));
        } catch (FileAlreadyExistsException e) {
            if (Files.isDirectory(dir)) {
                return;
            }
            throw e;
        }
        restrict(dir, PRIVATE_DIRECTORY);
        if (owner != null) {
            Files.setOwner(dir, owner);
        }
        syncDirectory(dir);
        syncDirectory(dir.getParent());
    }

    /**
     * Creates a directory and whichever of its parents are missing, each as {@link #createDirectory} does (private,
     * with the owner, fsynced); an existing directory is fine.
     */
    public static void createDirectories(Path dir, UserPrincipal owner) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            createDirectory(p, owner);
        }
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** The permissions to create {@code path} with, on a file system that has POSIX permissions. */
    private static FileAttribute<?>[] attributes(Path path, Set<PosixFilePermission> permissions) {
        return posix(path) ? new FileAttribute<?>[] { PosixFilePermissions.asFileAttribute(permissions) }
                : new FileAttribute<?>[0];
    }

    /** Sets the permissions exactly: the umask narrows what a file is created with, and may narrow it too much. */
    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (posix(path)) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Removes a file while cleaning up after {@code failure}; a failure to remove it is added to that failure. */
    static void deleteQuietly(Path file, Throwable failure) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
