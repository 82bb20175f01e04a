package io.camelsmtp.examples.delivery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

import org.apache.camel.impl.DefaultCamelContext;

/**
 * Run by {@link PrivateFilesTest} in a child JVM started under {@code umask 000}: stores one message with each
 * mailbox bean below the folder given as argument, and leaves a control file made the plain way, whose permissions
 * show that the umask really was 000.
 */
public final class UmaskProbe {

    private UmaskProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Files.createDirectories(root);
        Path control = Files.createFile(root.resolve("probe-control"));
        if (Files.getPosixFilePermissions(control).contains(PosixFilePermission.OTHERS_WRITE)) {
            Files.move(control, root.resolve("probe-was-world-writable"));
        }
        FsyncMailbox mailbox = new FsyncMailbox();
        mailbox.setDirectory(root.resolve("fsync").toString());
        UserMailboxes users = new UserMailboxes();
        users.setDirectory(root.resolve("users").toString());
        MaildirDelivery maildir = new MaildirDelivery();
        maildir.setBase(root.resolve("maildir").toString());
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            mailbox.store(PrivateFilesTest.message(context, "Q5", "bob@example.org"));
            users.deliver(PrivateFilesTest.message(context, "Q6", "alice@example.test"));
            maildir.deliver(PrivateFilesTest.message(context, "Q7", "alice@example.org"));
        }
        System.out.println("umask probe done");
    }
}
