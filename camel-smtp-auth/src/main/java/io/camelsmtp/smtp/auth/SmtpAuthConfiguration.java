package io.camelsmtp.smtp.auth;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/**
 * The options of {@code smtp-auth} other than the operation. The component holds one as the defaults of all its
 * endpoints ({@code camel.component.smtp-auth.key-directory=...}); each endpoint starts from a {@link #copy()} of
 * it and applies its URI options on top, as the other components of this project do.
 */
@UriParams
public class SmtpAuthConfiguration implements Cloneable {

    @UriParam(label = "producer,dkim-sign")
    private String domain;
    @UriParam(label = "producer,dkim-sign")
    private String selector;
    @UriParam(label = "producer,dkim-sign")
    private String privateKey;
    @UriParam(label = "producer,dkim-sign", enums = "rsa-sha256,ed25519-sha256")
    private String algorithm;
    @UriParam(label = "producer,dkim-sign")
    private String headers;
    @UriParam(label = "producer,dkim-sign", defaultValue = "relaxed/relaxed",
              enums = "relaxed/relaxed,relaxed/simple,simple/relaxed,simple/simple")
    private String canonicalization = "relaxed/relaxed";
    @UriParam(label = "producer,dkim-sign", defaultValue = "0", javaType = "java.time.Duration")
    private long expiration;
    @UriParam(label = "producer,dkim-sign")
    private String keyDirectory;
    @UriParam(label = "producer,dkim-sign")
    private DkimKeyResolver keyResolver;
    @UriParam(label = "producer,dkim-sign", defaultValue = "false")
    private boolean signWhenFromDomainDiffers;
    @UriParam(label = "producer,dns")
    private String dnsServers;
    @UriParam(label = "producer,dns", defaultValue = "5s", javaType = "java.time.Duration")
    private long dnsTimeout = 5000;
    @UriParam(label = "producer,verify")
    private String authservId;
    @UriParam(label = "producer,verify", defaultValue = "false")
    private boolean refuseDmarcReject;
    @UriParam(label = "producer,spf", defaultValue = "false")
    private boolean refuseOnFail;
    @UriParam(label = "producer,spf", defaultValue = "false")
    private boolean refuseOnPermError;
    @UriParam(label = "producer,spf", defaultValue = "false")
    private boolean refuseOnTempError;
    @UriParam(label = "producer,spf", defaultValue = "20s", javaType = "java.time.Duration")
    private long spfTimeout = 20_000;
    @UriParam(label = "producer,verify", defaultValue = "true")
    private boolean verifySpf = true;
    @UriParam(label = "producer,verify", defaultValue = "false")
    private boolean receivedSpf;
    @UriParam(label = "producer,dnsbl")
    private String zones;
    @UriParam(label = "producer,dnsbl")
    private String allowList;
    @UriParam(label = "producer,dnsbl", defaultValue = "true")
    private boolean refuseWhenListed = true;
    @UriParam(label = "producer,dnsbl", defaultValue = "5s", javaType = "java.time.Duration")
    private long dnsblTimeout = 5000;

    /** A copy for one endpoint, so that its URI options do not change the component's defaults (shallow). */
    public SmtpAuthConfiguration copy() {
        try {
            return (SmtpAuthConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    public String getDomain() {
        return domain;
    }

    /**
     * The signing domain (d=) of dkim-sign, e.g. example.com. The CamelSmtpAuthDkimDomain header overrides it;
     * without either, the From address's domain is used (with keyDirectory or keyResolver).
     */
    public void setDomain(String domain) {
        this.domain = domain;
    }

    public String getSelector() {
        return selector;
    }

    /**
     * The selector (s=) of dkim-sign; comma-separated, one per privateKey, for several signatures (e.g. rsa1,ed1).
     * The key record is published at selector._domainkey.domain.
     */
    public void setSelector(String selector) {
        this.selector = selector;
    }

    public String getPrivateKey() {
        return privateKey;
    }

    /**
     * The private key(s) of dkim-sign as Camel resources (file:, classpath:), comma-separated in the order of the
     * selectors: PEM PKCS#8 (BEGIN PRIVATE KEY) RSA of at least 2048 bits or Ed25519, or PEM PKCS#1 (BEGIN RSA
     * PRIVATE KEY). Loaded when the producer starts; a shorter RSA key stops the start.
     */
    public void setPrivateKey(String privateKey) {
        this.privateKey = privateKey;
    }

    public String getAlgorithm() {
        return algorithm;
    }

    /**
     * The signing algorithm expected of every key (rsa-sha256 or ed25519-sha256); by default each key signs with its
     * own (RSA: rsa-sha256, Ed25519: ed25519-sha256). A key of another type stops the start.
     */
    public void setAlgorithm(String algorithm) {
        this.algorithm = algorithm;
    }

    public String getHeaders() {
        return headers;
    }

    /**
     * The header fields dkim-sign signs, colon-separated (e.g. From:To:Subject:Date:Message-ID); by default RFC 6376
     * section 5.4.1's list with Message-ID, Sender and the MIME fields. From is always signed; From, To, Subject and
     * Date are over-signed (listed once more than present).
     */
    public void setHeaders(String headers) {
        this.headers = headers;
    }

    public String getCanonicalization() {
        return canonicalization;
    }

    /**
     * Header/body canonicalization of dkim-sign (c=).
     */
    public void setCanonicalization(String canonicalization) {
        this.canonicalization = canonicalization;
    }

    public long getExpiration() {
        return expiration;
    }

    /**
     * How long a dkim-sign signature is valid (x= is t= plus this); 0 for no x=.
     */
    public void setExpiration(long expiration) {
        this.expiration = expiration;
    }

    public String getKeyDirectory() {
        return keyDirectory;
    }

    /**
     * A folder of keys for dkim-sign, one sub-folder per domain: keyDirectory/example.com/rsa1.pem signs for
     * example.com with selector rsa1. Without a selector option or header, every *.pem of the domain's folder signs
     * (at most 4, by name), e.g. an RSA and an Ed25519 key. Files are re-read when they change.
     */
    public void setKeyDirectory(String keyDirectory) {
        this.keyDirectory = keyDirectory;
    }

    public DkimKeyResolver getKeyResolver() {
        return keyResolver;
    }

    /**
     * A bean that gives dkim-sign the keys of a domain (instead of privateKey or keyDirectory).
     */
    public void setKeyResolver(DkimKeyResolver keyResolver) {
        this.keyResolver = keyResolver;
    }

    public boolean isSignWhenFromDomainDiffers() {
        return signWhenFromDomainDiffers;
    }

    /**
     * Sign also when the From address's domain is neither the signing domain nor one of its subdomains (such a
     * signature does not align for DMARC). Off: the message is refused with 550 5.7.1, so that a route cannot send
     * mail signed for another domain than its From without meaning to.
     */
    public void setSignWhenFromDomainDiffers(boolean signWhenFromDomainDiffers) {
        this.signWhenFromDomainDiffers = signWhenFromDomainDiffers;
    }

    public String getDnsServers() {
        return dnsServers;
    }

    /**
     * Comma-separated DNS resolvers as host:port (e.g. 127.0.0.1:5353) for verify's key look-ups; defaults to the
     * system resolvers.
     */
    public void setDnsServers(String dnsServers) {
        this.dnsServers = dnsServers;
    }

    public long getDnsTimeout() {
        return dnsTimeout;
    }

    /**
     * Time-out of one DNS query.
     */
    public void setDnsTimeout(long dnsTimeout) {
        this.dnsTimeout = dnsTimeout;
    }

    public String getAuthservId() {
        return authservId;
    }

    /**
     * The authserv-id of the Authentication-Results header verify writes (RFC 8601), normally this host's name (the
     * default). Incoming Authentication-Results headers with this id are removed, so a sender cannot forge ours.
     */
    public void setAuthservId(String authservId) {
        this.authservId = authservId;
    }

    public boolean isRefuseDmarcReject() {
        return refuseDmarcReject;
    }

    /**
     * Refuse a message whose DMARC check failed with the policy reject applied (after pct= sampling): verify fails
     * the exchange with 550 5.7.1, which smtp-server answers at the end of DATA, so nothing is stored. Off: the
     * verdict is only reported (CamelSmtpAuthDmarcPolicy) for the route to act on.
     */
    public void setRefuseDmarcReject(boolean refuseDmarcReject) {
        this.refuseDmarcReject = refuseDmarcReject;
    }

    public boolean isRefuseOnFail() {
        return refuseOnFail;
    }

    /**
     * spf: refuse an SPF fail (a -all that does not list the client) with 550 5.7.23 and the domain's explanation
     * (thrown as an SmtpReplyException: in a mailPolicy route, smtp-server answers MAIL FROM with it). Off: the result
     * is only set in CamelSmtpAuthSpf for the route to decide.
     */
    public void setRefuseOnFail(boolean refuseOnFail) {
        this.refuseOnFail = refuseOnFail;
    }

    public boolean isRefuseOnPermError() {
        return refuseOnPermError;
    }

    /**
     * spf: refuse an SPF permerror (the sender domain's record cannot be interpreted) with 550 5.7.24.
     */
    public void setRefuseOnPermError(boolean refuseOnPermError) {
        this.refuseOnPermError = refuseOnPermError;
    }

    public boolean isRefuseOnTempError() {
        return refuseOnTempError;
    }

    /**
     * spf: answer an SPF temperror (DNS failure or time-out) with 451 4.7.24, so the client tries again later.
     */
    public void setRefuseOnTempError(boolean refuseOnTempError) {
        this.refuseOnTempError = refuseOnTempError;
    }

    public long getSpfTimeout() {
        return spfTimeout;
    }

    /**
     * spf and verify: how long one SPF evaluation may take in all (RFC 7208 4.6.4 asks for at least 20 seconds);
     * beyond, the result is temperror. Each query is also bounded by dnsTimeout.
     */
    public void setSpfTimeout(long spfTimeout) {
        this.spfTimeout = spfTimeout;
    }

    public boolean isVerifySpf() {
        return verifySpf;
    }

    /**
     * verify: also evaluate SPF (when the Exchange has smtp-server's client address and CamelSmtpAuthSpf is not set,
     * and spf did not already evaluate this transaction) and write its spf= result into Authentication-Results.
     */
    public void setVerifySpf(boolean verifySpf) {
        this.verifySpf = verifySpf;
    }

    public boolean isReceivedSpf() {
        return receivedSpf;
    }

    /**
     * verify: also put a Received-SPF field (RFC 7208 9.1) in front of the message, besides Authentication-Results.
     */
    public void setReceivedSpf(boolean receivedSpf) {
        this.receivedSpf = receivedSpf;
    }

    public String getZones() {
        return zones;
    }

    /**
     * The DNS block lists dnsbl asks, comma-separated, e.g. zen.spamhaus.org,bl.example. Without codes any answer in
     * 127.0.0.0/8 lists, except 127.0.0.1 and 127.255.255.0/24 (query-refused codes), which count as errors. zone=code
     * or zone=first-last (e.g. zen.spamhaus.org=127.0.0.2-127.0.0.11) lists only on those answers; repeat the zone
     * for several ranges.
     */
    public void setZones(String zones) {
        this.zones = zones;
    }

    public String getAllowList() {
        return allowList;
    }

    /**
     * Client networks dnsbl never looks up (CIDR list, e.g. 127.0.0.0/8,::1/128,10.0.0.0/8,192.168.0.0/16); their
     * result is allowed. Empty by default: every client is checked, so RFC 5782's test entry 127.0.0.2 works.
     */
    public void setAllowList(String allowList) {
        this.allowList = allowList;
    }

    public boolean isRefuseWhenListed() {
        return refuseWhenListed;
    }

    /**
     * Whether dnsbl refuses a listed client itself, with 554 5.7.1 naming the list and its TXT reason (as Postfix's
     * reject_rbl_client does). Off: it only sets the CamelSmtpAuthDnsbl headers, for a route that scores or tags.
     */
    public void setRefuseWhenListed(boolean refuseWhenListed) {
        this.refuseWhenListed = refuseWhenListed;
    }

    public long getDnsblTimeout() {
        return dnsblTimeout;
    }

    /**
     * How long dnsbl waits for all its lists together (A and TXT queries, in parallel); a list that has not answered
     * by then counts as failed, and the client passes.
     */
    public void setDnsblTimeout(long dnsblTimeout) {
        this.dnsblTimeout = dnsblTimeout;
    }
}
