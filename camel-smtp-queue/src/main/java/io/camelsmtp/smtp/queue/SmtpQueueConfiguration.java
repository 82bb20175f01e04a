package io.camelsmtp.smtp.queue;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/**
 * The options of an {@code smtp-queue} endpoint other than its name and spool directory. The component holds one
 * as the defaults of all its endpoints ({@code camel.component.smtp-queue.*}); each endpoint gets a copy and its URI
 * options override it.
 */
@UriParams
public class SmtpQueueConfiguration implements Cloneable {

    @UriParam(label = "common")
    private String eventsUri;
    @UriParam(label = "common,advanced", defaultValue = "67108864")
    private long segmentSize = 64L * 1024 * 1024;

    @UriParam(label = "consumer", defaultValue = "20")
    private int concurrency = 20;
    @UriParam(label = "consumer", defaultValue = "5")
    private int maxPerDomain = 5;
    @UriParam(label = "consumer,retry", defaultValue = "5m", javaType = "java.time.Duration")
    private long minBackoff = 5 * 60_000L;
    @UriParam(label = "consumer,retry", defaultValue = "1h", javaType = "java.time.Duration")
    private long maxBackoff = 60 * 60_000L;
    @UriParam(label = "consumer,retry", defaultValue = "5d", javaType = "java.time.Duration")
    private long maxQueueLifetime = 5 * 24 * 3600_000L;
    @UriParam(label = "consumer,retry", defaultValue = "5d", javaType = "java.time.Duration")
    private long bounceQueueLifetime = 5 * 24 * 3600_000L;
    @UriParam(label = "consumer,notifications", defaultValue = "0", javaType = "java.time.Duration")
    private long delayWarningTime;
    @UriParam(label = "consumer,notifications")
    private String postmaster;
    @UriParam(label = "consumer,notifications")
    private String reportingMta;
    @UriParam(label = "consumer,notifications", defaultValue = "50000")
    private int returnSizeLimit = 50_000;
    @UriParam(label = "consumer,advanced", defaultValue = "30s", javaType = "java.time.Duration")
    private long stopTimeout = 30_000;
    @UriParam(label = "consumer,shaping")
    private String shapingRules;
    @UriParam(label = "consumer,shaping", defaultValue = "5s", javaType = "java.time.Duration")
    private long shapingReload = 5_000;
    @UriParam(label = "consumer,shaping,advanced")
    private io.camelsmtp.smtp.common.shaping.SiteResolver siteResolver;

    /** A copy for one endpoint, whose URI options then change only the copy. */
    public SmtpQueueConfiguration copy() {
        try {
            return (SmtpQueueConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    DeliverySettings deliverySettings() {
        if (concurrency < 1 || maxPerDomain < 1) {
            throw new IllegalArgumentException("smtp-queue: concurrency and maxPerDomain must be at least 1");
        }
        if (minBackoff < 1 || maxBackoff < minBackoff) {
            throw new IllegalArgumentException("smtp-queue: minBackoff must be positive and at most maxBackoff");
        }
        return new DeliverySettings(concurrency, maxPerDomain, minBackoff, maxBackoff, maxQueueLifetime,
                bounceQueueLifetime, delayWarningTime, reportingMta != null ? reportingMta : localHostName(), postmaster,
                returnSizeLimit, stopTimeout);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    public String getEventsUri() {
        return eventsUri;
    }

    /**
     * Endpoint that receives a DeliveryEvent per recipient outcome (queued, delivered, deferred, delayed, bounced,
     * expired), e.g. direct:mail-events. Sent synchronously; use seda: to decouple a slow consumer.
     */
    public void setEventsUri(String eventsUri) {
        this.eventsUri = eventsUri;
    }

    public long getSegmentSize() {
        return segmentSize;
    }

    /** A spool segment file takes no new messages once it is this long (octets); finished segments are deleted. */
    public void setSegmentSize(long segmentSize) {
        this.segmentSize = segmentSize;
    }

    public int getConcurrency() {
        return concurrency;
    }

    /** Delivery attempts at once, overall (worker threads). */
    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    public int getMaxPerDomain() {
        return maxPerDomain;
    }

    /**
     * Delivery attempts at once to one recipient domain. Keep it below concurrency: a domain whose servers hang (each
     * attempt waiting for its time-out) then holds at most this many workers, and the rest deliver to other domains.
     */
    public void setMaxPerDomain(int maxPerDomain) {
        this.maxPerDomain = maxPerDomain;
    }

    public long getMinBackoff() {
        return minBackoff;
    }

    /** Wait before the first retry of a deferred message; it doubles after every attempt up to maxBackoff. */
    public void setMinBackoff(long minBackoff) {
        this.minBackoff = minBackoff;
    }

    public long getMaxBackoff() {
        return maxBackoff;
    }

    /** Longest wait between two delivery attempts of one message. */
    public void setMaxBackoff(long maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    public long getMaxQueueLifetime() {
        return maxQueueLifetime;
    }

    /** How long a message is retried; then its pending recipients bounce as expired (4.4.7). */
    public void setMaxQueueLifetime(long maxQueueLifetime) {
        this.maxQueueLifetime = maxQueueLifetime;
    }

    public long getBounceQueueLifetime() {
        return bounceQueueLifetime;
    }

    /** How long a notification the queue made itself is retried before it is given up. */
    public void setBounceQueueLifetime(long bounceQueueLifetime) {
        this.bounceQueueLifetime = bounceQueueLifetime;
    }

    public long getDelayWarningTime() {
        return delayWarningTime;
    }

    /** After this long in the queue, the sender gets one delay notification (DSN action delayed); 0 sends none. */
    public void setDelayWarningTime(long delayWarningTime) {
        this.delayWarningTime = delayWarningTime;
    }

    public String getPostmaster() {
        return postmaster;
    }

    /**
     * Address told when a notification (or other mail from the null sender) cannot be delivered; without it such
     * failures are only logged. Notices to this address are never reported again, so nothing loops.
     */
    public void setPostmaster(String postmaster) {
        this.postmaster = postmaster;
    }

    public String getReportingMta() {
        return reportingMta;
    }

    /** Host name that signs notifications (Reporting-MTA, MAILER-DAEMON{@literal @}host); default the local host name. */
    public void setReportingMta(String reportingMta) {
        this.reportingMta = reportingMta;
    }

    public int getReturnSizeLimit() {
        return returnSizeLimit;
    }

    /** With RET=FULL a bounce returns the whole message only up to this many octets, else only its headers. */
    public void setReturnSizeLimit(int returnSizeLimit) {
        this.returnSizeLimit = returnSizeLimit;
    }

    public long getStopTimeout() {
        return stopTimeout;
    }

    /**
     * How long stopping waits for delivery attempts in progress; an attempt cut off is made again after a restart
     * (the recipients it had reached may get the message twice).
     */
    public void setStopTimeout(long stopTimeout) {
        this.stopTimeout = stopTimeout;
    }

    public String getShapingRules() {
        return shapingRules;
    }

    /**
     * Traffic shaping rules: the path of a YAML ({@code .yaml}, {@code .yml}) or properties ({@code .properties})
     * file with per-site limits (connections, messages per connection, message and connection rates, TLS) and
     * automatic reactions to replies (suspend a site, lower its rate, send its mail to a smart host). Read at start
     * (an invalid file stops the consumer from starting) and again when it changes. Without it every recipient
     * domain is its own site with maxPerDomain deliveries at once.
     */
    public void setShapingRules(String shapingRules) {
        this.shapingRules = shapingRules;
    }

    public long getShapingReload() {
        return shapingReload;
    }

    /** How often the shaping rules file is checked for changes; 0 reads it only at start. */
    public void setShapingReload(long shapingReload) {
        this.shapingReload = shapingReload;
    }

    public io.camelsmtp.smtp.common.shaping.SiteResolver getSiteResolver() {
        return siteResolver;
    }

    /**
     * How the MX hosts of a recipient domain are found, so that domains with the same MX hosts share one site (with
     * shaping rules only). By default the one bean of this type in the registry, which smtp-relay binds when it
     * delivers by MX; with none, every domain is its own site unless a rule names it.
     */
    public void setSiteResolver(io.camelsmtp.smtp.common.shaping.SiteResolver siteResolver) {
        this.siteResolver = siteResolver;
    }
}
