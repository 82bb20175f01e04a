package io.camelsmtp.smtp.queue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import io.camelsmtp.smtp.common.QueueIds;
import io.camelsmtp.smtp.queue.spool.SpoolDamage;

/**
 * The notice to the postmaster about messages start-up found damaged in the spool: for each, who sent it, to whom,
 * whether it was queued again, and where its files are. Plain text, one fact per line, so that a person can deliver
 * or bounce by hand what the queue could not.
 */
final class DamageNotice {

    private static final int MAX_LINE = 900;

    private DamageNotice() {
    }

    static byte[] build(String queue, Path spool, String reportingMta, String postmaster, List<SpoolDamage> damage) {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingMta).append(">\r\n");
        sb.append("To: <").append(clean(postmaster)).append(">\r\n");
        sb.append("Subject: smtp-queue:").append(queue).append(" found ").append(damage.size())
                .append(" damaged message(s) in its spool\r\n");
        sb.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
        sb.append("Message-ID: <").append(QueueIds.next()).append('@').append(reportingMta).append(">\r\n");
        sb.append("Auto-Submitted: auto-generated\r\n");
        sb.append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        line(sb, "At start-up, smtp-queue:" + queue + " (spool " + spool + ") found files it could not read in full.");
        line(sb, "Messages queued again are delivered to the recipients listed as they could be read; messages not");
        line(sb, "queued again are in corrupt/ and must be delivered or bounced by hand.");
        for (SpoolDamage d : damage) {
            sb.append("\r\n");
            line(sb, "Message " + (d.id() != null ? d.id() : "(id unreadable)"));
            line(sb, "  from:  " + (d.sender() == null ? "(unreadable)" : "<" + d.sender() + ">"));
            for (String r : d.recipients()) {
                line(sb, "  to:    " + r);
            }
            if (d.recipients().isEmpty()) {
                line(sb, "  to:    (no recipient could be read)");
            }
            line(sb, "  done:  " + (d.requeued() ? "queued again" : "NOT queued: deliver or bounce it by hand"));
            line(sb, "  why:   " + d.reason());
            for (Path f : d.files()) {
                line(sb, "  file:  " + f);
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder sb, String text) {
        String t = clean(text);
        sb.append(t.length() > MAX_LINE ? t.substring(0, MAX_LINE) + " ..." : t).append("\r\n");
    }

    /** Read from a damaged file: no control character may end a line or a header early. */
    private static String clean(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }
}
