package io.camelsmtp.examples.delivery;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.apache.camel.StreamCache;

/**
 * Local delivery for several users: one {@link FsyncMailbox} folder per user under a root folder, so that a message
 * for {@code alice@example.test} and {@code alice@example.org} lands in {@code <directory>/alice/<queue id>.eml}
 * (the local part, lower-cased, names the mailbox in every local domain, as Postfix's local delivery does), written
 * once per recipient in {@code CamelSmtpEnvelopeTo} and fsynced before the route goes on. A bare {@code postmaster}
 * goes to {@code <directory>/postmaster}. The folders are created {@code rwx------} and the messages
 * {@code rw-------} (see {@link DurableFiles}).
 * <p>
 * The file name is the queue id, so when the queue retries a delivery that failed half-way, a mailbox that already
 * has the message gets the same file again, not a second copy. A local part that cannot be a folder name (a slash, a
 * leading dot, characters outside {@code [a-z0-9._+-]}) fails that delivery with {@code 550 5.1.3}; a recipient
 * policy in front should have refused it already.
 */
public class UserMailboxes {

    private String directory = "data/mailbox";
    private final Map<String, FsyncMailbox> mailboxes = new ConcurrentHashMap<>();

    public void setDirectory(String directory) {
        this.directory = directory;
        mailboxes.clear();
    }

    public String getDirectory() {
        return directory;
    }

    @Handler
    public void deliver(Exchange exchange) throws IOException, SmtpReplyException {
        List<?> recipients = exchange.getMessage().getHeader("CamelSmtpEnvelopeTo", List.class);
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("No recipients in CamelSmtpEnvelopeTo");
        }
        for (Object recipient : recipients) {
            String user = user(String.valueOf(recipient));
            Object body = exchange.getMessage().getBody();
            if (body instanceof StreamCache cache) {
                cache.reset();
            }
            mailboxes.computeIfAbsent(user, u -> {
                FsyncMailbox mailbox = new FsyncMailbox();
                mailbox.setDirectory(directory + "/" + u);
                return mailbox;
            }).store(exchange);
        }
    }

    private static String user(String recipient) throws SmtpReplyException {
        int at = recipient.lastIndexOf('@');
        String local = (at < 0 ? recipient : recipient.substring(0, at)).toLowerCase(Locale.ROOT);
        if (local.isEmpty() || local.startsWith(".") || !local.matches("[a-z0-9._+-]+")) {
            throw new SmtpReplyException(SmtpReply.of(550, "5.1.3", "<" + recipient + ">: no such local mailbox"));
        }
        return local;
    }
}
