package io.camelsmtp.smtp.server.protocol;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Where a {@link SmtpListener}'s threads come from and go back to. The engine knows nothing of Camel; smtp-server
 * makes them with Camel's {@code ExecutorServiceManager}, so Camel's thread settings (virtual threads included) apply.
 */
public interface ListenerThreads {

    /** A new pool running one thread per SMTP session. */
    ExecutorService newSessionPool();

    /** A new single-thread timer for the idle and session-time checks. */
    ScheduledExecutorService newTimer();

    /** Ends a pool made by this object, interrupting whatever still runs on it. */
    void shutdownNow(ExecutorService pool);
}
