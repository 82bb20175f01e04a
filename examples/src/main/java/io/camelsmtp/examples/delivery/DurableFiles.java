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
import java.nio.file.attribute.UserPrincipal;

/**
 * The file steps the mailbox beans ({@link FsyncMailbox}, {@link MaildirDelivery}) share so that a message they have
 * stored survives a crash: content is fsynced under a temporary name, renamed atomically into place, and the directory
 * holding the new name is fsynced (a rename lives in the directory, not in the file). Only then may the SMTP client get
 * its 250.
 */
final class DurableFiles {

    /** Writes a file's content; may be called once. */
    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

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
    static long write(Path file, boolean createNew, UserPrincipal owner, Content content) throws IOException {
        StandardOpenOption create = createNew ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE;
        try (FileChannel ch = FileChannel.open(file, create, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            try {
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
    static void rename(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(to.getParent());
    }

    /**
     * Creates a directory whose parent exists (an existing directory is fine), gives it the owner, and fsyncs it and
     * its parent so that the new entry is on disk before anything is stored in it.
     */
    static void createDirectory(Path dir, UserPrincipal owner) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (Files.isDirectory(dir)) {
                return;
            }
            throw e;
        }
        if (owner != null) {
            Files.setOwner(dir, owner);
        }
        syncDirectory(dir);
        syncDirectory(dir.getParent());
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
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
