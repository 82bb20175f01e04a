package io.camelsmtp.smtp.relay.support;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Captures what is logged while it is open, each event rendered as the log file would show it
 * ({@code LEVEL Logger - message} and a line break), so that a test can see how many lines one event makes.
 * A copy of smtp-server's test helper of the same name: the relay's tests see the server's main jar only.
 */
public final class LogLines implements AutoCloseable {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;

    private LogLines() {
        PatternLayout layout = PatternLayout.newBuilder().withPattern("%level %c{1} - %m%n").build();
        appender = new AbstractAppender("test-" + UUID.randomUUID(), null, layout, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                events.add(layout.toSerializable(event));
            }
        };
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    /** Starts capturing every event that reaches the root logger. */
    public static LogLines capture() {
        return new LogLines();
    }

    /** The rendered events so far, each ending with its line break. */
    public List<String> events() {
        return List.copyOf(events);
    }

    /** The rendered events that contain {@code text}. */
    public List<String> containing(String text) {
        return events.stream().filter(e -> e.contains(text)).toList();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        configuration.getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}
