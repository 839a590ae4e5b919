package dev.callcontrol.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.testing.LogLines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogConfigurationTest {
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    private final List<String> lines = new ArrayList<>();
    private AppenderBase<ILoggingEvent> capture;
    private Level productLevel;

    @BeforeEach
    void captureWithTheProductsEncoder() {
        productLevel = context.getLogger(LogConfiguration.PRODUCT_LOGGER).getLevel();
        capture = LogLines.capture(lines::add);
    }

    @AfterEach
    void restore() {
        LogLines.stop(capture);
        context.getLogger(LogConfiguration.PRODUCT_LOGGER).setLevel(productLevel);
        MDC.clear();
    }

    @Test
    void logbackIsConfiguredByTheProductNotByAFile() {
        assertInstanceOf(OutputStreamAppender.class, root.getAppender(LogConfiguration.APPENDER));
        assertEquals(Level.WARN, root.getLevel());
        assertEquals(LogConfiguration.level(System.getenv("POWERTOOLS_LOG_LEVEL"), System.getenv("AWS_LAMBDA_LOG_LEVEL")), productLevel);
        assertEquals(Level.ERROR, context.getLogger("com.amazonaws.services.dynamodbv2").getLevel());
    }

    @Test
    void aLineIsOneJsonObjectWithTheMessageTheLevelAndTheCallIdentifiers() throws IOException {
        MDC.put(CallLog.TASK_SID, "WT0123456789abcdef0123456789abcdef");
        LoggerFactory.getLogger("dev.callcontrol.calls.Hold").info("Holding {} for {}", "the customer", "agent \"alice\"");

        assertEquals(1, lines.size());
        String line = lines.get(0);
        assertTrue(line.endsWith("\n"), "one line per event");
        assertFalse(line.strip().contains("\n"), "no line breaks inside a line");
        JsonNode json = Json.MAPPER.readTree(line);
        assertEquals("INFO", json.path("level").asText());
        assertEquals("dev.callcontrol.calls.Hold", json.path("loggerName").asText());
        assertEquals("Holding the customer for agent \"alice\"", json.path("formattedMessage").asText());
        assertEquals("WT0123456789abcdef0123456789abcdef", json.path("mdc").path("TaskSid").asText());
        assertTrue(json.path("timestamp").asLong() > 0);
        for (String bookkeeping : List.of("sequenceNumber", "nanoseconds", "context", "threadName", "message", "arguments")) {
            assertFalse(json.has(bookkeeping), bookkeeping + " is not written");
        }
    }

    @Test
    void anExceptionIsWrittenInsideTheSameLine() throws IOException {
        LoggerFactory.getLogger("dev.callcontrol.twilio.FaultPolicy").warn("Twilio failed", new IllegalStateException("busy\nagain"));

        assertEquals(1, lines.size());
        assertFalse(lines.get(0).strip().contains("\n"));
        JsonNode throwable = Json.MAPPER.readTree(lines.get(0)).path("throwable");
        assertEquals(IllegalStateException.class.getName(), throwable.path("className").asText());
        assertEquals("busy\nagain", throwable.path("message").asText());
        assertTrue(throwable.path("stepArray").size() > 0, "the stack trace");
    }

    @Test
    void librariesLogOnlyWarningsAndTheProductAtItsLevel() {
        context.getLogger(LogConfiguration.PRODUCT_LOGGER).setLevel(Level.INFO);
        LoggerFactory.getLogger("software.amazon.awssdk.request").info("not written");
        LoggerFactory.getLogger("software.amazon.awssdk.request").warn("written");
        LoggerFactory.getLogger("dev.callcontrol.calls.Hold").debug("not written");
        LoggerFactory.getLogger("dev.callcontrol.calls.Hold").info("written");

        assertEquals(2, lines.size());
        assertTrue(lines.stream().allMatch(l -> l.contains("\"written\"")));
    }

    @Test
    void theLevelIsReadAsPowertoolsReadsIt() {
        assertEquals(Level.INFO, LogConfiguration.level(null, null));
        assertEquals(Level.INFO, LogConfiguration.level("", "DEBUG"), "an empty setting is a setting");
        assertEquals(Level.INFO, LogConfiguration.level("loud", null));
        assertEquals(Level.INFO, LogConfiguration.level("OFF", null));
        assertEquals(Level.DEBUG, LogConfiguration.level("debug", null));
        assertEquals(Level.ERROR, LogConfiguration.level("Fatal", null));
        assertEquals(Level.WARN, LogConfiguration.level(null, "WARN"), "Lambda's advanced logging controls when Powertools' is unset");
        assertEquals(Level.TRACE, LogConfiguration.level("TRACE", "ERROR"), "Powertools' own setting first");
    }
}
