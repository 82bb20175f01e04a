package io.camelsmtp.smtp.queue.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * How the spool makes its directories and opens its files. Mail is private: directories are {@code 0700} and files
 * {@code 0600} whatever the process's umask (created with those modes, so never wider for a moment, then set exactly,
 * since a umask can also make them narrower than the owner needs). On a file system without POSIX permissions the
 * modes are left to it. Every channel the spool writes through is opened here, so a test can hand the spool a
 * channel that fails.
 */
class SpoolFiles {

    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private final boolean posix;

    SpoolFiles(Path root) {
        this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Creates the directory when missing (parents with the process's defaults) and makes it owner-only. */
    void directory(Path dir) throws IOException {
        directory(dir, true);
    }

    /**
     * Creates the directory when missing and makes it owner-only; an existing one only when {@code restrictExisting}.
     * Returns false when it exists with a mode other than {@code 0700} and was left so.
     */
    boolean directory(Path dir, boolean restrictExisting) throws IOException {
        boolean created = false;
        if (!Files.isDirectory(dir)) {
            created = true;
            if (dir.getParent() != null) {
                Files.createDirectories(dir.getParent());
            }
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
            } else {
                Files.createDirectories(dir);
            }
        }
        if (!posix) {
            return true;
        }
        if (created || restrictExisting) {
            Files.setPosixFilePermissions(dir, DIRECTORY);
            return true;
        }
        return Files.getPosixFilePermissions(dir).equals(DIRECTORY);
    }

    /** Makes an existing file owner-only (a copy made with the process's defaults). */
    void restrict(Path file) throws IOException {
        if (posix) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    /** Opens a spool file; one it may create is created owner-only. */
    FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> set = Set.of(options);
        boolean creates = set.contains(StandardOpenOption.CREATE) || set.contains(StandardOpenOption.CREATE_NEW);
        if (!creates || !posix) {
            return FileChannel.open(file, set);
        }
        FileAttribute<?> mode = PosixFilePermissions.asFileAttribute(FILE);
        FileChannel ch = FileChannel.open(file, set, mode);
        try {
            Files.setPosixFilePermissions(file, FILE); // the umask may have taken the owner's write bit
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }
}
