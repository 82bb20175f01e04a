package io.camelsmtp.smtp.queue.dsn;

import jakarta.activation.DataContentHandler;
import jakarta.activation.MailcapCommandMap;
import org.eclipse.angus.mail.dsn.message_deliverystatus;
import org.eclipse.angus.mail.dsn.multipart_report;
import org.eclipse.angus.mail.dsn.text_rfc822headers;
import org.eclipse.angus.mail.handlers.message_rfc822;
import org.eclipse.angus.mail.handlers.text_plain;

/**
 * The Jakarta Activation command map that the parts of a report are written with.
 * <p>
 * Jakarta Mail writes a part whose content is an object ({@code DeliveryStatus}, a {@code MimeMessage}, a
 * {@code String}, the multipart itself) through the {@link DataContentHandler} that a command map names for its MIME
 * type. The {@code dsn} jar registers its handlers (multipart/report, message/delivery-status,
 * text/rfc822-headers) and Angus Mail its own (text/plain, message/rfc822) only through {@code META-INF/mailcap}
 * files, which {@link MailcapCommandMap} reads from the class path. On a plain class path that works; it breaks
 * where those files are lost or merged into one, as in a shaded jar, and writing then fails with "no object DCH for
 * MIME type message/delivery-status". The library's answer is {@link MailcapCommandMap#addMailcap}: this class
 * builds a map from the class path as usual and adds, through {@code addMailcap}, every handler the report needs that
 * the map lacks. The builder sets the map on each of its own data handlers, so the JVM-wide default map is never
 * changed.
 */
final class DsnContentHandlers {

    private static final String[][] HANDLERS = {
        {"multipart/report", multipart_report.class.getName()},
        {"message/delivery-status", message_deliverystatus.class.getName()},
        {"text/rfc822-headers", text_rfc822headers.class.getName()},
        {"text/plain", text_plain.class.getName()},
        {"message/rfc822", message_rfc822.class.getName()},
    };

    private DsnContentHandlers() {
    }

    /** A map read from the class path, completed with any handler a report needs that it lacks. */
    static MailcapCommandMap commandMap() {
        MailcapCommandMap map = new MailcapCommandMap();
        complete(map);
        return map;
    }

    /**
     * Adds to {@code map} a mailcap entry for each MIME type of a report that has no content handler in it.
     *
     * @return how many entries were added
     */
    static int complete(MailcapCommandMap map) {
        int added = 0;
        for (String[] handler : HANDLERS) {
            if (map.createDataContentHandler(handler[0]) == null) {
                map.addMailcap(handler[0] + ";; x-java-content-handler=" + handler[1]);
                added++;
            }
        }
        return added;
    }
}
