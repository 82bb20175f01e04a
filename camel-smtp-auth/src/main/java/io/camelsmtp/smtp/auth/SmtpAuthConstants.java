package io.camelsmtp.smtp.auth;

import org.apache.camel.spi.Metadata;

/** Headers {@code smtp-auth} reads and sets. */
public final class SmtpAuthConstants {

    @Metadata(label = "dkim-sign", description = "The signing domain (d=) for this message; overrides the domain option. "
                                                 + "With keyDirectory or keyResolver one route signs for many domains.",
              javaType = "String")
    public static final String DKIM_DOMAIN = "CamelSmtpAuthDkimDomain";
    @Metadata(label = "dkim-sign", description = "The selector(s) (s=) for this message, comma-separated for several "
                                                 + "signatures; overrides the selector option.",
              javaType = "String")
    public static final String DKIM_SELECTOR = "CamelSmtpAuthDkimSelector";
    @Metadata(label = "verify", description = "Set by verify: one DkimResult per DKIM-Signature evaluated, top-most "
                                              + "first (domain, selector, algorithm, identity, result pass/fail/policy/"
                                              + "neutral/temperror/permerror, reason); empty when the message has none.",
              javaType = "java.util.List<io.camelsmtp.smtp.auth.dkim.DkimResult>")
    public static final String DKIM = "CamelSmtpAuthDkim";
    @Metadata(label = "verify", description = "Set by verify: the message's DKIM result in one word: pass when one "
                                              + "signature passed, else the first of fail, temperror, permerror, policy, "
                                              + "neutral found, or none when it has no signature.",
              javaType = "String")
    public static final String DKIM_RESULT = "CamelSmtpAuthDkimResult";
    @Metadata(label = "verify", description = "Set by verify: the DMARC result in one word: pass, fail, none (no "
                                              + "policy published), temperror (DNS failure) or permerror (no From "
                                              + "domain, or a record that does not parse).",
              javaType = "String")
    public static final String DMARC = "CamelSmtpAuthDmarc";
    @Metadata(label = "verify", description = "Set by verify: the DMARC policy to apply to this message: none, "
                                              + "quarantine or reject (the domain's p= or sp= when DMARC failed, one "
                                              + "step lower when pct= sampling left the message out; none when it "
                                              + "passed or has no policy).",
              javaType = "String")
    public static final String DMARC_POLICY = "CamelSmtpAuthDmarcPolicy";
    @Metadata(label = "verify", description = "Set by verify: the whole DMARC verdict (status, requested and "
                                              + "applied policy, From domain, organisational domain, the record, "
                                              + "reasons).",
              javaType = "io.camelsmtp.smtp.auth.dmarc.DmarcResult")
    public static final String DMARC_DETAILS = "CamelSmtpAuthDmarcDetails";
    @Metadata(label = "spf,verify", description = "Set by spf (and by verify when it evaluates SPF): the SPF result "
                                                  + "(RFC 7208) in one word: pass, fail, softfail, neutral, none, "
                                                  + "temperror or permerror. verify does not evaluate SPF again when "
                                                  + "it is set.",
              javaType = "String")
    public static final String SPF = "CamelSmtpAuthSpf";
    @Metadata(label = "spf,verify", description = "Set with CamelSmtpAuthSpf: the SpfResult (result, identity mailfrom "
                                                  + "or helo, sender, domain checked, client address, HELO name, and "
                                                  + "for fail the explanation).",
              javaType = "io.camelsmtp.smtp.auth.spf.SpfResult")
    public static final String SPF_DETAIL = "CamelSmtpAuthSpfDetail";
    @Metadata(label = "dnsbl", description = "Set by dnsbl: listed (a zone lists the client), clean (every zone "
                                             + "answered, none lists it), temperror (none lists it, a zone failed), "
                                             + "allowed (in allowList, not looked up) or none (no client address).",
              javaType = "String")
    public static final String DNSBL_RESULT = "CamelSmtpAuthDnsblResult";
    @Metadata(label = "dnsbl", description = "Set by dnsbl: the zones that list the client, in the order of the zones "
                                             + "option; empty when none does.",
              javaType = "java.util.List<String>")
    public static final String DNSBL_LISTED = "CamelSmtpAuthDnsblListed";
    @Metadata(label = "dnsbl", description = "Set by dnsbl: the listing answers as zone=code (e.g. "
                                             + "zen.spamhaus.org=127.0.0.4), so a route can test one with contains.",
              javaType = "java.util.List<String>")
    public static final String DNSBL_CODES = "CamelSmtpAuthDnsblCodes";
    @Metadata(label = "dnsbl", description = "Set by dnsbl: the first listing zone's TXT reason, sanitised (printable "
                                             + "ASCII, one line, at most 200 characters), or null.",
              javaType = "String")
    public static final String DNSBL_REASON = "CamelSmtpAuthDnsblReason";
    @Metadata(label = "dnsbl", description = "Set by dnsbl: the zones that failed, as zone: why (time-out, SERVFAIL, an "
                                             + "answer outside 127.0.0.0/8, a query-refused code); they never list.",
              javaType = "java.util.List<String>")
    public static final String DNSBL_FAILED = "CamelSmtpAuthDnsblFailed";

    private SmtpAuthConstants() {
    }
}
