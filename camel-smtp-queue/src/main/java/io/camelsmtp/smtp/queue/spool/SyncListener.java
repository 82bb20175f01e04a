package io.camelsmtp.smtp.queue.spool;

/** Hears each group commit of the spool: how many messages one fdatasync made durable, and how long it took. */
@FunctionalInterface
public interface SyncListener {

    /** Called on the writing thread right after the fdatasync returned: return fast, do not throw. */
    void synced(int messages, long nanos);
}
