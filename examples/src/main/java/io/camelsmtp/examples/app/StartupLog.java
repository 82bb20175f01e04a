package io.camelsmtp.examples.app;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.rewrite.RewriteAppender;
import org.apache.logging.log4j.core.appender.rewrite.RewritePolicy;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;

/**
 * Keeps stack traces out of the log while the app starts, unless {@code --stacktrace}: when start-up fails, Camel
 * logs the failure with its stack trace ("Error starting CamelContext", 60 lines and more) before the app prints its
 * own report, which names the file, line and reason; the trace buried that report. Log events keep their message
 * (with the exception's own message added when the message lacks it) and lose only the trace, and only until the app
 * has started: errors at run time keep their traces.
 * <p>
 * Works with the app's logging backend, Log4j 2: it puts a rewriting appender in front of every appender of the
 * configuration. With another backend it does nothing.
 */
final class StartupLog extends MainListenerSupport implements RewritePolicy {

    private static final String NAME = "camel-smtp-startup";
    private static final StartupLog INSTANCE = new StartupLog();

    private volatile boolean quiet;

    private StartupLog() {
    }

    /** From now until the app has started (or {@link #end()}), log events lose their stack trace. */
    static StartupLog begin() {
        try {
            if (LogManager.getContext(false) instanceof LoggerContext context) {
                install(context);
                INSTANCE.quiet = true;
            }
        } catch (LinkageError | RuntimeException otherBackend) {
            // not Log4j 2 core: leave the log as it is
        }
        return INSTANCE;
    }

    /** Traces again, as at run time. */
    static void end() {
        INSTANCE.quiet = false;
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        end();
    }

    @Override
    public LogEvent rewrite(LogEvent event) {
        Throwable thrown = event.getThrown();
        if (!quiet || thrown == null) {
            return event;
        }
        String message = event.getMessage().getFormattedMessage();
        String own = thrown.getMessage();
        if (own == null || message == null || !message.contains(own)) {
            message = message + " (" + thrown + ")";
        }
        return new Log4jLogEvent.Builder(event).setMessage(new SimpleMessage(message)).setThrown(null)
                .setThrownProxy(null).build();
    }

    /** Once per configuration: each appender of each logger is reached through a rewriting appender of its own. */
    private static synchronized void install(LoggerContext context) {
        Configuration config = context.getConfiguration();
        if (config.getAppenders().keySet().stream().anyMatch(name -> name.startsWith(NAME))) {
            return; // already (a reconfiguration brings a new configuration)
        }
        Map<String, Appender> rewriters = new HashMap<>();
        for (String name : List.copyOf(config.getAppenders().keySet())) {
            AppenderRef[] to = {AppenderRef.createAppenderRef(name, null, null)};
            RewriteAppender rewrite = RewriteAppender.createAppender(NAME + "-" + name, "true", to, config, INSTANCE,
                    null);
            rewrite.start();
            config.addAppender(rewrite);
            rewriters.put(name, rewrite);
        }
        Set<LoggerConfig> loggers = new LinkedHashSet<>(config.getLoggers().values());
        loggers.add(config.getRootLogger());
        for (LoggerConfig logger : loggers) {
            for (String name : List.copyOf(logger.getAppenders().keySet())) {
                Appender rewrite = rewriters.get(name);
                AppenderRef ref = logger.getAppenderRefs().stream().filter(r -> name.equals(r.getRef())).findFirst()
                        .orElse(null);
                if (rewrite != null) {
                    logger.removeAppender(name);
                    logger.addAppender(rewrite, ref != null ? ref.getLevel() : null, ref != null ? ref.getFilter() : null);
                }
            }
        }
        context.updateLoggers();
    }
}
