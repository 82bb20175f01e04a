package io.camelsmtp.examples.delivery;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import io.camelsmtp.smtp.common.SmtpEnvelopeHeaders;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.StreamCache;

/**
 * Local delivery (the MDA's job): one copy of the message per local mailbox, in {@code <base>/<user>/} in Maildir
 * format, read by an IMAP server such as Dovecot ({@code mail_location = maildir:<base>/%n}). The user is the
 * recipient's local part in lower case; two recipients with the same local part get one copy.
 * <p>
 * Each copy starts with {@code Return-Path: <sender>} and {@code Delivered-To: recipient}, then the message as
 * received. As Maildir wants it, the copy is written into {@code tmp/} under a unique name
 * ({@code seconds.M<micros>P<pid>Q<counter>.<host>}), fsynced, renamed into {@code new/} with {@code ,S=<size>}
 * appended (Dovecot then knows the size without a stat), and {@code new/} is fsynced; {@code cur/}, {@code new/} and
 * {@code tmp/} are created at the first delivery. Every folder created here (the base and its missing parents
 * included) is {@code rwx------} and every copy {@code rw-------}, owned by {@link #setOwner owner} when one is set.
 * <p>
 * All or nothing, because the SMTP client is told once for all recipients: every copy is written and fsynced in
 * {@code tmp/} first (where the usual failures happen: no space, a broken folder), and only then are they renamed into
 * {@code new/}. If anything fails, the copies are removed from {@code tmp/} and {@code new/} and the client gets a 4xx
 * to try again later; when the route completes, every copy is on disk. A failure between two renames (rare: the
 * folder was just replaced) removes the copies already renamed, but a reader may have seen one in that instant, and
 * the client's retry then delivers it twice.
 */
public class MaildirDelivery {

    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String HOST = maildirHostName();
    private static final int MAX_LOCAL_PART = 64;

    private Path base = Path.of("data/maildir");
    private Set<String> users = Set.of();
    private String owner;
    private volatile UserPrincipal ownerPrincipal;

    /** The folder holding one Maildir per user. */
    public void setBase(String base) {
        this.base = Path.of(base);
    }

    public String getBase() {
        return base.toString();
    }

    /** The local users, comma-separated, for {@link #localUser(String)}: {@code alice,bob,postmaster}. */
    public void setUsers(String users) {
        Set<String> set = new LinkedHashSet<>();
        for (String u : users.split(",")) {
            String user = u.strip().toLowerCase(Locale.ROOT);
            if (!user.isEmpty()) {
                set.add(user);
            }
        }
        this.users = Collections.unmodifiableSet(set);
    }

    public String getUsers() {
        return String.join(",", users);
    }

    /**
     * The system user that should own the Maildir folders and messages, for an MDA running as root while the IMAP
     * server reads as another user (Dovecot never reads mail as root). Empty (the default): the process's own user.
     */
    public void setOwner(String owner) {
        this.owner = owner == null || owner.isBlank() ? null : owner.strip();
        this.ownerPrincipal = null;
    }

    public String getOwner() {
        return owner;
    }

    /**
     * The Maildir folder name for a recipient: its local part in lower case, or null when that name could leave the
     * base folder or hide in it (a {@code /}, a {@code \}, {@code ..}, a leading dot, a control character), is empty
     * or longer than 64 octets (RFC 5321 §4.5.3.1.1). A bare {@code postmaster} is its own local part.
     */
    public static String mailboxName(String recipient) {
        if (recipient == null) {
            return null;
        }
        int at = recipient.lastIndexOf('@');
        String name = (at < 0 ? recipient : recipient.substring(0, at)).toLowerCase(Locale.ROOT);
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_PART || name.startsWith(".")
            || name.contains("..") || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return null;
            }
        }
        return name;
    }

    /** The mailbox name of a recipient that is one of the local users, or null: for a RCPT policy. */
    public String localUser(String recipient) {
        String name = mailboxName(recipient);
        return name != null && users.contains(name) ? name : null;
    }

    /**
     * Delivers the message to every recipient's Maildir; returns only when every copy is in {@code new/} and on disk.
     *
     * @throws SmtpReplyException {@code 451 4.3.0} (or {@code 452 4.3.1} when the disk is full) when a copy could not
     *                            be stored, nothing being left behind; {@code 550 5.1.3} for a recipient whose local
     *                            part cannot be a folder name (a RCPT policy should have refused it)
     */
    @Handler
    public void deliver(Exchange exchange) throws SmtpReplyException {
        Message message = exchange.getMessage();
        String sender = message.getHeader(SmtpEnvelopeHeaders.ENVELOPE_FROM, "", String.class);
        List<?> recipients = message.getHeader(SmtpEnvelopeHeaders.ENVELOPE_TO, List.class);
        if (recipients == null || recipients.isEmpty()) {
            throw new SmtpReplyException(SmtpReply.of(554, "5.5.1", "No valid recipients"));
        }
        Map<String, String> mailboxes = new LinkedHashMap<>();
        for (Object r : recipients) {
            String recipient = String.valueOf(r);
            String name = mailboxName(recipient);
            if (name == null) {
                throw new SmtpReplyException(SmtpReply.of(550, "5.1.3", "<" + recipient + ">: Bad mailbox name"));
            }
            mailboxes.putIfAbsent(name, recipient);
        }

        List<Copy> copies = new ArrayList<>();
        String failed = null;
        try {
            DurableFiles.Content content = content(message);
            UserPrincipal owner = ownerPrincipal();
            for (Map.Entry<String, String> e : mailboxes.entrySet()) {
                failed = e.getValue();
                copies.add(write(e.getKey(), sender, e.getValue(), content, owner));
            }
            for (Copy c : copies) {
                failed = c.recipient();
                DurableFiles.rename(c.tmp(), c.target());
            }
        } catch (IOException | InvalidPayloadException | RuntimeException e) {
            // under either name: a rename may have happened even when the fsync after it failed
            for (Copy c : copies) {
                DurableFiles.deleteQuietly(c.tmp(), e);
                DurableFiles.deleteQuietly(c.target(), e);
            }
            throw failure(failed, e);
        }
    }

    private record Copy(String recipient, Path tmp, Path target) {
    }

    /** Writes and fsyncs one copy into the user's {@code tmp/}, creating the Maildir when it is missing. */
    private Copy write(String name, String sender, String recipient, DurableFiles.Content content,
            UserPrincipal owner) throws IOException {
        Path maildir = base.resolve(name);
        if (!Files.isDirectory(base)) {
            // with the owner too: it is the one that must reach the Maildirs below (Dovecot never reads as root)
            DurableFiles.createDirectories(base, owner);
        }
        DurableFiles.createDirectory(maildir, owner);
        for (String sub : List.of("cur", "new", "tmp")) {
            DurableFiles.createDirectory(maildir.resolve(sub), owner);
        }
        String unique = uniqueName(Instant.now());
        Path tmp = maildir.resolve("tmp").resolve(unique);
        byte[] trace = ("Return-Path: <" + sender + ">\r\nDelivered-To: " + recipient + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        long size = DurableFiles.write(tmp, true, owner, out -> {
            out.write(trace);
            content.writeTo(out);
        });
        return new Copy(recipient, tmp, maildir.resolve("new").resolve(unique + ",S=" + size));
    }

    /**
     * The message, to be written once per copy: smtp-server's body is a StreamCache, read from its start each time and
     * left at its start for the next reader; any other body is read into memory once.
     */
    private static DurableFiles.Content content(Message message) throws InvalidPayloadException {
        if (message.getBody() instanceof StreamCache cache) {
            return out -> {
                cache.reset();
                try {
                    cache.writeTo(out);
                } finally {
                    cache.reset();
                }
            };
        }
        byte[] bytes = message.getMandatoryBody(byte[].class);
        return out -> out.write(bytes);
    }

    private UserPrincipal ownerPrincipal() throws IOException {
        UserPrincipal p = ownerPrincipal;
        if (p == null && owner != null) {
            p = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(owner);
            ownerPrincipal = p;
        }
        return p;
    }

    private static SmtpReplyException failure(String recipient, Exception cause) {
        String text = String.valueOf(cause.getMessage());
        if (text.contains("No space left on device") || text.contains("Disk quota exceeded")) {
            return new SmtpReplyException(SmtpReply.of(452, "4.3.1", "Insufficient system storage, try again later"),
                    cause);
        }
        String to = recipient == null ? "" : " to <" + recipient + ">";
        return new SmtpReplyException(SmtpReply.of(451, "4.3.0", "Local delivery" + to + " failed, try again later"),
                cause);
    }

    /** {@code seconds.M<micros>P<pid>Q<counter>.<host>}: unique per host, process and delivery (Dovecot's form). */
    static String uniqueName(Instant now) {
        return now.getEpochSecond() + ".M" + now.getNano() / 1000 + "P" + ProcessHandle.current().pid() + "Q"
               + COUNTER.incrementAndGet() + "." + HOST;
    }

    private static String maildirHostName() {
        try {
            return maildirHostName(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** A host name with the two characters a Maildir name cannot hold encoded: {@code /} and {@code :}. */
    static String maildirHostName(String host) {
        return host.replace("/", "\\057").replace(":", "\\072");
    }
}
