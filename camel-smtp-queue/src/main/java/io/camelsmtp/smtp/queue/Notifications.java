package io.camelsmtp.smtp.queue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.common.SmtpReplyException;
import io.camelsmtp.smtp.queue.dsn.DsnBuilder;
import io.camelsmtp.smtp.queue.dsn.DsnKind;
import io.camelsmtp.smtp.queue.dsn.DsnRecipient;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery status notifications (RFC 3464), queued like any other message and so sent through the same route. They
 * go from the null sender to the original envelope sender, only for the recipients whose DSN NOTIFY asks for them
 * (none given means failures and delays). Loops are cut: nothing is ever sent about a message from the null sender
 * to that sender; a notification that cannot be delivered is reported to the postmaster address when one is set, and
 * a failed notice to the postmaster is only logged.
 */
final class Notifications {

    private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);

    private final MailQueue queue;
    private final DeliverySettings settings;
    private final DsnBuilder builder;

    Notifications(MailQueue queue, DeliverySettings settings) {
        this.queue = queue;
        this.settings = settings;
        this.builder = new DsnBuilder(settings.reportingMta(), settings.returnSizeLimit());
    }

    /** Failure report for recipients that failed for good or expired. Queued before their state is saved. */
    void failed(SpoolEntry e, List<Outcome> failed, List<Outcome> expired) throws IOException {
        if (failed.isEmpty() && expired.isEmpty()) {
            return;
        }
        List<DsnRecipient> lines = new ArrayList<>();
        for (Outcome o : failed) {
            if (o.recipient().wants("FAILURE")) {
                lines.add(line(o, "failed", o.enhancedStatus(), null));
            }
        }
        for (Outcome o : expired) {
            if (o.recipient().wants("FAILURE")) {
                String status = o.enhancedStatus().startsWith("4.") && !"4.0.0".equals(o.enhancedStatus()) ? o.enhancedStatus() : "4.4.7";
                lines.add(line(o, "failed", status, null));
            }
        }
        if (lines.isEmpty()) {
            return;
        }
        if (e.kind() == SpoolEntry.Kind.MAIL && !e.sender().isEmpty()) {
            // RFC 8689 §5: the way back may not offer REQUIRETLS, so the bounce of such a message carries only its
            // header section (whatever RET asked for) and is queued, like every notification, without REQUIRETLS
            String ret = e.envelope().requireTlsOption() ? "HDRS" : e.envelope().ret();
            send(e, DsnKind.FAILURE, e.sender(), SpoolEntry.Kind.DSN, ret, lines);
        } else if (e.kind() != SpoolEntry.Kind.POSTMASTER && settings.postmaster() != null) {
            send(e, DsnKind.FAILURE, settings.postmaster(), SpoolEntry.Kind.POSTMASTER, "HDRS", lines);
        } else {
            LOG.warn("smtp-queue:{} {}: undeliverable {} from <{}> to {}: not reported (it would loop){}", queue.name(),
                    e.id(), e.kind().name().toLowerCase(), e.sender(), lines.stream().map(DsnRecipient::finalRecipient).toList(),
                    settings.postmaster() == null ? "; set postmaster to receive such notices" : "");
        }
    }

    /** Success report for delivered recipients that asked for one with NOTIFY=SUCCESS. */
    void succeeded(SpoolEntry e, List<Outcome> delivered) throws IOException {
        if (e.sender().isEmpty() || e.kind() != SpoolEntry.Kind.MAIL) {
            return;
        }
        List<DsnRecipient> lines = new ArrayList<>();
        for (Outcome o : delivered) {
            if (o.recipient().dsnNotify() != null && o.recipient().wants("SUCCESS")) {
                lines.add(line(o, "relayed", o.enhancedStatus(), null));
            }
        }
        if (!lines.isEmpty()) {
            send(e, DsnKind.SUCCESS, e.sender(), SpoolEntry.Kind.DSN, "HDRS", lines);
        }
    }

    /** Delay warning for recipients still pending, sent once per message when delayWarningTime has passed. */
    void delayed(SpoolEntry e, List<Outcome> deferred, long retryUntil) throws IOException {
        if (e.sender().isEmpty() || e.kind() != SpoolEntry.Kind.MAIL) {
            return;
        }
        List<DsnRecipient> lines = new ArrayList<>();
        for (Outcome o : deferred) {
            if (o.recipient().wants("DELAY")) {
                lines.add(line(o, "delayed", o.enhancedStatus(), Instant.ofEpochMilli(retryUntil)));
            }
        }
        if (!lines.isEmpty()) {
            send(e, DsnKind.DELAY, e.sender(), SpoolEntry.Kind.DSN, "HDRS", lines);
        }
    }

    private static DsnRecipient line(Outcome o, String action, String status, Instant retryUntil) {
        return new DsnRecipient(o.recipient().address(), o.recipient().dsnOrcpt(), action, status, o.host(),
                o.reply().toString(), o.time(), retryUntil);
    }

    private void send(SpoolEntry e, DsnKind kind, String to, SpoolEntry.Kind as, String ret, List<DsnRecipient> lines)
            throws IOException {
        byte[] original;
        try (InputStream in = queue.spool().openMessage(e)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(e.size(), 1 << 20));
            in.transferTo(out);
            original = out.toByteArray();
        }
        byte[] dsn = builder.build(kind, original, to, e.envelope().envid(), ret, e.arrival(), lines);
        SpoolEntry n;
        try {
            n = queue.enqueueNotification(as, to, dsn);
        } catch (SmtpReplyException ex) {
            throw new IOException("cannot queue the " + kind.name().toLowerCase() + " notification", ex);
        }
        LOG.info("smtp-queue:{} {}: {} notification {} queued for <{}>", queue.name(), e.id(), kind.name().toLowerCase(),
                n.id(), to);
    }
}
