package io.camelsmtp.smtp.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.server.protocol.LogText;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LMTP's per-recipient replies from the CamelSmtpRecipientReplies header a route set: a Map from recipient address to
 * a reply, each value read as {@link ReplyHeader} reads CamelSmtpReply. Fails closed: a value that is no valid reply
 * gets {@code 451 4.3.0} for its recipient, a header that is no Map gets it for every recipient; never a 250. A
 * recipient the map does not name gets the route's reply; a key naming no recipient of the message is ignored
 * (logged). Keys match exactly first, then ignoring case.
 */
final class RecipientReplies {

    private static final Logger LOG = LoggerFactory.getLogger(RecipientReplies.class);

    private RecipientReplies() {
    }

    /** One reply per recipient, aligned with {@code recipients}; {@code routeReply} for those without their own. */
    static List<SmtpReply> of(Exchange exchange, List<String> recipients, SmtpReply routeReply, String route) {
        Object header = exchange.getMessage().getHeader(SmtpServerConstants.RECIPIENT_REPLIES);
        if (header == null) {
            return List.of(routeReply);
        }
        SmtpReply fallback = SmtpServerBinding.temporaryFailure("data");
        if (!(header instanceof Map<?, ?> map)) {
            LOG.error("smtp-server {}: {} is a {}, not a Map of recipient to reply; answering {} for every recipient",
                    route, SmtpServerConstants.RECIPIENT_REPLIES, header.getClass().getName(), fallback);
            return List.of(fallback);
        }
        List<SmtpReply> replies = new ArrayList<>(recipients.size());
        for (String recipient : recipients) {
            Object value = lookUp(map, recipient);
            if (value == null) {
                replies.add(routeReply);
                continue;
            }
            try {
                replies.add(ReplyHeader.parse(value));
            } catch (IllegalArgumentException e) {
                LOG.error("smtp-server {}: {} for <{}> \"{}\" is not a valid reply: {}; answering {}", route,
                        SmtpServerConstants.RECIPIENT_REPLIES, LogText.value(recipient), LogText.value(value),
                        e.getMessage(), fallback);
                replies.add(fallback);
            }
        }
        for (Object key : map.keySet()) {
            if (key == null || recipients.stream().noneMatch(r -> r.equalsIgnoreCase(key.toString()))) {
                LOG.warn("smtp-server {}: {} names \"{}\", no recipient of this message; ignored", route,
                        SmtpServerConstants.RECIPIENT_REPLIES, LogText.value(key));
            }
        }
        return replies;
    }

    private static Object lookUp(Map<?, ?> map, String recipient) {
        Object exact = map.get(recipient);
        if (exact != null) {
            return exact;
        }
        String lower = recipient.toLowerCase(Locale.ROOT);
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey() != null && e.getKey().toString().toLowerCase(Locale.ROOT).equals(lower)) {
                return e.getValue();
            }
        }
        return null;
    }
}
