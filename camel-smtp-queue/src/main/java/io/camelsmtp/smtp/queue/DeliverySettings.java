package io.camelsmtp.smtp.queue;

/**
 * How the consumer delivers: concurrency, retry schedule, expiry and notifications. Times in milliseconds.
 *
 * @param concurrency        delivery attempts at once, overall
 * @param maxPerDomain       delivery attempts at once to one recipient domain
 * @param minBackoff         wait before the first retry; doubles after each attempt
 * @param maxBackoff         longest wait between two attempts
 * @param maxQueueLifetime   how long a message is retried before the rest of its recipients bounce
 * @param bounceLifetime     the same for notifications the queue made itself
 * @param delayWarningTime   after this long in the queue, a delay notification is sent once; 0 disables it
 * @param reportingMta       our host name in notifications
 * @param postmaster         where a notification that cannot be delivered is reported; null logs it instead
 * @param returnSizeLimit    RET=FULL returns the whole message only up to this size, else its headers
 * @param stopTimeout        how long stopping waits for attempts in progress
 */
record DeliverySettings(int concurrency, int maxPerDomain, long minBackoff, long maxBackoff, long maxQueueLifetime,
                        long bounceLifetime, long delayWarningTime, String reportingMta, String postmaster,
                        int returnSizeLimit, long stopTimeout) {

    /** The wait after attempt number {@code attempts} (1 = after the first attempt). */
    long backoff(int attempts) {
        long wait = minBackoff;
        for (int i = 1; i < attempts && wait < maxBackoff; i++) {
            wait *= 2;
        }
        return Math.min(wait, maxBackoff);
    }
}
