package io.camelsmtp.smtp.auth.dmarc;

import java.util.Locale;

/** A DMARC policy (RFC 7489 §6.3 {@code p=}), in rising strictness. */
public enum DmarcPolicy {
    NONE,
    QUARANTINE,
    REJECT;

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The policy for a message that {@code pct} sampling left out (RFC 7489 §6.6.4): one step less strict. */
    public DmarcPolicy lower() {
        return this == REJECT ? QUARANTINE : NONE;
    }

    /** The policy a value names (case-insensitive, as the RFC's ABNF literals), or null. */
    static DmarcPolicy of(String value) {
        if (value == null) {
            return null;
        }
        for (DmarcPolicy p : values()) {
            if (p.text().equalsIgnoreCase(value)) {
                return p;
            }
        }
        return null;
    }
}
