package dev.callcontrol.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;

import java.util.Locale;
import java.util.Map;

/**
 * The product's logging, configured in code rather than from an XML file, because reading one is
 * most of a logging library's start-up and the assignment callback's cold start has none to spare
 * (docs/performance.md): one JSON object per line on standard output (logback's {@link JsonEncoder}:
 * timestamp, level, logger, the formatted message, the MDC with the Lambda context and the call
 * identifiers, key-value pairs and the exception), the product's loggers at
 * {@code POWERTOOLS_LOG_LEVEL} (INFO by default, see {@link #level}), everything else at WARN.
 *
 * <p>Logback finds it through {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}.
 */
public final class LogConfiguration extends ContextAwareBase implements Configurator {
    /** The name of the one appender, for tests that add a capturing appender with the same encoder. */
    public static final String APPENDER = "json";
    /** The logger of every class of the product. */
    public static final String PRODUCT_LOGGER = "dev.callcontrol";

    /** Libraries that run only in the local runtime and the tests, and log expected events as warnings. */
    private static final Map<String, Level> QUIETER = Map.of(
            // DynamoDB Local logs every conditional-check failure as a warning.
            "com.amazonaws.services.dynamodbv2", Level.ERROR,
            // The contract check's JSON-schema library warns about OpenAPI keywords it does not need.
            "com.networknt", Level.ERROR,
            // Without a Docker engine Testcontainers logs its search at ERROR; the LocalStack tests report the skip.
            "org.testcontainers", Level.OFF);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(APPENDER);
        console.setEncoder(encoder(context));
        console.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
        context.getLogger(PRODUCT_LOGGER).setLevel(level(System.getenv("POWERTOOLS_LOG_LEVEL"), System.getenv("AWS_LAMBDA_LOG_LEVEL")));
        QUIETER.forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The product's JSON line: what a reader of the logs needs, without logback's per-line bookkeeping. */
    static Encoder<ILoggingEvent> encoder(LoggerContext context) {
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false);
        json.setWithThreadName(false);
        json.setWithMessage(false);
        json.setWithArguments(false);
        json.setWithFormattedMessage(true);
        json.start();
        return json;
    }

    /**
     * The product's level, read as Powertools reads it when it sets the level again at the first
     * invocation (through {@link LogbackLevels}), so lines written before it (initialisation,
     * SnapStart priming) agree: {@code POWERTOOLS_LOG_LEVEL}, else Lambda's
     * {@code AWS_LAMBDA_LOG_LEVEL}; TRACE, DEBUG, INFO, WARN or ERROR in any case, FATAL as ERROR,
     * anything else as INFO.
     */
    static Level level(String powertools, String lambda) {
        String name = powertools != null ? powertools : lambda;
        if (name == null) {
            return Level.INFO;
        }
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "TRACE" -> Level.TRACE;
            case "DEBUG" -> Level.DEBUG;
            case "WARN" -> Level.WARN;
            case "ERROR", "FATAL" -> Level.ERROR;
            default -> Level.INFO;
        };
    }
}
