package io.camelsmtp.examples.app;

/**
 * Virtual threads when the JDK has them (21 and later): each SMTP session holds a thread while it waits for the
 * client, so with platform threads 5,000 idle sessions cost 5,000 OS threads (about 540 MB), with virtual threads a
 * few dozen carrier threads (docs/operations.md, "Many sessions"). Camel reads the switch, the system property
 * {@value #PROPERTY}, once, the first time it creates a thread; so it is set here, before Camel starts, unless the
 * operator already set it ({@code -Dcamel.threads.virtual.enabled=false} keeps platform threads on any JDK).
 */
final class ThreadChoice {

    static final String PROPERTY = "camel.threads.virtual.enabled";
    static final int FIRST_JDK_WITH_VIRTUAL_THREADS = 21;

    private ThreadChoice() {
    }

    /** Turns virtual threads on when the JDK has them and the operator said nothing; returns what was chosen. */
    static String apply() {
        if (System.getProperty(PROPERTY) == null && jdk() >= FIRST_JDK_WITH_VIRTUAL_THREADS) {
            System.setProperty(PROPERTY, "true");
        }
        return describe();
    }

    /** For the start-up summary: which threads sessions and routes run on, and why. */
    static String describe() {
        int jdk = jdk();
        boolean asked = Boolean.getBoolean(PROPERTY);
        if (jdk < FIRST_JDK_WITH_VIRTUAL_THREADS) {
            return "platform threads (JDK " + jdk + "; virtual threads need JDK " + FIRST_JDK_WITH_VIRTUAL_THREADS
                   + " or later)";
        }
        return asked ? "virtual threads (JDK " + jdk + ")"
                : "platform threads (JDK " + jdk + ", -D" + PROPERTY + "=false)";
    }

    private static int jdk() {
        return Runtime.version().feature();
    }
}
