package dev.callcontrol.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.internal.LoggingManager;

/**
 * How Powertools changes log levels (from {@code POWERTOOLS_LOG_LEVEL}, Lambda's advanced logging
 * controls or log sampling) when logback is the backend: on the product's loggers, as the
 * environment-variable table says, leaving the libraries at their own levels. Powertools' own
 * logback module does this job but is not published where this project's builds resolve.
 *
 * <p>Powertools finds it through {@code META-INF/services/software.amazon.lambda.powertools.logging.internal.LoggingManager}.
 */
public final class LogbackLevels implements LoggingManager {
    @Override
    public void setLogLevel(org.slf4j.event.Level level) {
        context().getLogger(LogConfiguration.PRODUCT_LOGGER).setLevel(Level.convertAnSLF4JLevel(level));
    }

    @Override
    public org.slf4j.event.Level getLogLevel(Logger logger) {
        Level level = context().getLogger(logger.getName()).getEffectiveLevel();
        if (level.toInt() > Level.ERROR_INT) {
            return org.slf4j.event.Level.ERROR;
        }
        if (level.toInt() < Level.TRACE_INT) {
            return org.slf4j.event.Level.TRACE;
        }
        return org.slf4j.event.Level.intToLevel(Level.toLocationAwareLoggerInteger(level));
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
    }
}
