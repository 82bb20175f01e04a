package io.camelsmtp.smtp.queue.dsn;

import java.time.Instant;
import java.util.List;

/**
 * The human-readable first part of a report, after the manner of Postfix's bounce texts: who is writing, what
 * happened, then one entry per recipient with the reason. Recipient entries are wrapped at {@value #WIDTH} columns.
 */
final class DsnText {

    /** Lines are wrapped before this column. */
    static final int WIDTH = 72;

    private static final String INDENT = "    ";

    private DsnText() {
    }

    /**
     * The text of a report.
     *
     * @param reportingMta our host name
     * @param kind         what the report is about
     * @param recipients   the recipients, already resolved and cleaned
     * @param returned     what part three holds
     */
    static String compose(String reportingMta, DsnKind kind, List<DsnRecipient> recipients, Returned returned) {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("This is the mail system at host ").append(reportingMta).append(".\r\n\r\n");
        switch (kind) {
            case FAILURE -> failure(sb, returned);
            case DELAY -> delay(sb, recipients);
            case SUCCESS -> success(sb);
            default -> throw new IllegalArgumentException(String.valueOf(kind));
        }
        sb.append("                   The mail system\r\n");
        for (DsnRecipient r : recipients) {
            sb.append("\r\n");
            wrap(sb, entry(r));
        }
        return sb.toString();
    }

    private static void failure(StringBuilder sb, Returned returned) {
        sb.append("I'm sorry to have to inform you that your message could not\r\n")
                .append("be delivered to one or more recipients.");
        switch (returned) {
            case FULL -> sb.append(" The message is attached below.\r\n");
            case HEADERS -> sb.append(" Its headers are attached below.\r\n");
            case HEADERS_TOO_BIG -> sb.append(" The message was too large\r\n")
                    .append("to be returned in full; its headers are attached below.\r\n");
            case NONE -> sb.append("\r\n");
            default -> throw new IllegalArgumentException(String.valueOf(returned));
        }
        sb.append("\r\n")
                .append("For further assistance, please send mail to postmaster, and\r\n")
                .append("include this report.\r\n\r\n");
    }

    private static void delay(StringBuilder sb, List<DsnRecipient> recipients) {
        Instant until = null;
        for (DsnRecipient r : recipients) {
            if (r.willRetryUntil() != null && (until == null || r.willRetryUntil().isAfter(until))) {
                until = r.willRetryUntil();
            }
        }
        sb.append("####################################################################\r\n")
                .append("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n")
                .append("####################################################################\r\n\r\n")
                .append("Your message could not be delivered to one or more recipients yet.\r\n");
        if (until == null) {
            sb.append("The mail system is still trying and will go on for a while.\r\n");
        } else {
            sb.append("The mail system is still trying, and will retry until\r\n")
                    .append(FieldValues.date(until)).append(".\r\n");
        }
        sb.append("\r\n")
                .append("For further assistance, please send mail to postmaster, and\r\n")
                .append("include this report.\r\n\r\n");
    }

    private static void success(StringBuilder sb) {
        sb.append("Your message was successfully delivered to the recipients listed\r\n")
                .append("below. Where it was delivered to a mailbox, you will hear no more;\r\n")
                .append("where it was relayed on, other mail systems may still report on it.\r\n\r\n");
    }

    private static String entry(DsnRecipient r) {
        StringBuilder sb = new StringBuilder(128);
        sb.append('<').append(r.finalRecipient()).append("> (").append(r.action()).append("): ");
        if (r.remoteMta() != null && r.diagnosticCode() != null) {
            sb.append("host ").append(r.remoteMta()).append(" said: ").append(r.diagnosticCode());
        } else if (r.diagnosticCode() != null) {
            sb.append(r.diagnosticCode());
        } else if (r.remoteMta() != null) {
            sb.append("host ").append(r.remoteMta()).append(", status ").append(r.status());
        } else {
            sb.append("status ").append(r.status());
        }
        if (r.willRetryUntil() != null) {
            sb.append("; will retry until ").append(FieldValues.date(r.willRetryUntil()));
        }
        return sb.toString();
    }

    /** Appends {@code line} broken at spaces before {@link #WIDTH}, continuation lines indented. */
    private static void wrap(StringBuilder sb, String line) {
        int column = 0;
        boolean first = true;
        for (String word : line.split(" ")) {
            if (!first && column + 1 + word.length() > WIDTH) {
                sb.append("\r\n").append(INDENT);
                column = INDENT.length();
            } else if (!first) {
                sb.append(' ');
                column++;
            }
            sb.append(word);
            column += word.length();
            first = false;
        }
        sb.append("\r\n");
    }

    /** What the third part of a report holds, as far as the text has to say so. */
    enum Returned {
        /** The whole message. */
        FULL,
        /** Its headers, because RET or the kind of report asked for no more. */
        HEADERS,
        /** Its headers, because the whole message is larger than the limit. */
        HEADERS_TOO_BIG,
        /** Nothing: the original was empty. */
        NONE
    }
}
