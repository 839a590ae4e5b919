package dev.callcontrol.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.callcontrol.logging.LogConfiguration;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** The product's log lines, captured exactly as its JSON encoder writes them for CloudWatch. */
public final class LogLines {
    private LogLines() {
    }

    /**
     * Hands every line to {@code lines}, from an appender on the root logger, which every logger's
     * events reach (none turns additivity off). Detach it with {@link #stop}.
     */
    public static AppenderBase<ILoggingEvent> capture(Consumer<String> lines) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        if (!(root.getAppender(LogConfiguration.APPENDER) instanceof OutputStreamAppender<ILoggingEvent> json)) {
            throw new IllegalStateException("no '" + LogConfiguration.APPENDER + "' appender on the root logger: the product's encoder is unknown");
        }
        Encoder<ILoggingEvent> encoder = json.getEncoder();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                lines.accept(new String(encoder.encode(event), StandardCharsets.UTF_8));
            }
        };
        capture.setContext(context);
        capture.setName("captured-lines");
        capture.start();
        root.addAppender(capture);
        return capture;
    }

    public static void stop(AppenderBase<ILoggingEvent> capture) {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(capture);
        capture.stop();
    }
}
