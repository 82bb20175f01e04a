package io.camelsmtp.smtp.queue;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Formats queue listings: mailq-style text for people, maps for JSON and JMX clients. */
public final class QueueListing {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private QueueListing() {
    }

    /** Like Postfix's mailq: id (with ! when held, * when active), size, arrival, sender, (last error), recipients. */
    public static String format(List<QueueItem> items) {
        if (items.isEmpty()) {
            return "Mail queue is empty\n";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-20s %8s %-20s %s%n", "-Queue ID-", "--Size--", "----Arrival Time----", "-Sender/Recipient-------"));
        long total = 0;
        for (QueueItem i : items) {
            String mark = "held".equals(i.status()) ? "!" : "active".equals(i.status()) ? "*" : "";
            sb.append(String.format("%-20s %8d %-20s %s%n", i.id() + mark, i.size(), TIME.format(i.arrival()),
                    i.sender().isEmpty() ? "MAILER-DAEMON" : i.sender()));
            if (i.lastError() != null) {
                sb.append("    (").append(i.lastError()).append(")\n");
            }
            for (String r : i.recipients()) {
                sb.append("                                             ").append(r).append('\n');
            }
            sb.append('\n');
            total += i.size();
        }
        sb.append("-- ").append(total / 1024).append(" Kbytes in ").append(items.size()).append(" Request")
                .append(items.size() == 1 ? "" : "s").append(".\n");
        return sb.toString();
    }

    /**
     * The queue like mailq; while the messages a previous run left are still being read, a last line says so (the
     * list grows until it is done).
     */
    public static String format(MailQueue queue) {
        String text = format(queue.list()) + queue.sites().mailqLines();
        if (queue.recovering()) {
            text += "-- recovering: " + queue.recoveredCount() + " waiting message(s) read from the spool so far, "
                    + "more to come.\n";
        }
        return text;
    }

    public static Map<String, Object> toMap(QueueItem i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("sender", i.sender());
        m.put("recipients", i.recipients());
        m.put("size", i.size());
        m.put("arrival", i.arrival().toString());
        m.put("attempts", i.attempts());
        m.put("nextAttempt", i.nextAttempt() == null ? null : i.nextAttempt().toString());
        m.put("lastError", i.lastError());
        m.put("status", i.status());
        return m;
    }
}
