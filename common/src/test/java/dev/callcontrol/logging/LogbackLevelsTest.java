package dev.callcontrol.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.amazonaws.services.lambda.runtime.Context;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.internal.LoggingManager;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

class LogbackLevelsTest {
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger product = context.getLogger(LogConfiguration.PRODUCT_LOGGER);
    private final Level before = product.getLevel();

    @AfterEach
    void restore() {
        product.setLevel(before);
    }

    @Test
    void powertoolsFindsExactlyThisManager() {
        List<LoggingManager> managers = ServiceLoader.load(LoggingManager.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, managers.size(), "Powertools warns and picks one when it finds several, or ignores POWERTOOLS_LOG_LEVEL when it finds none");
        assertInstanceOf(LogbackLevels.class, managers.get(0));
    }

    @Test
    void aLevelFromPowertoolsAppliesToTheProductsLoggersOnly() {
        new LogbackLevels().setLogLevel(org.slf4j.event.Level.DEBUG);

        assertEquals(Level.DEBUG, context.getLogger("dev.callcontrol.calls.Hold").getEffectiveLevel());
        assertEquals(Level.WARN, context.getLogger("software.amazon.awssdk").getEffectiveLevel());
    }

    @Test
    void theLevelReadBackIsTheLoggersEffectiveLevel() {
        LogbackLevels levels = new LogbackLevels();
        levels.setLogLevel(org.slf4j.event.Level.TRACE);
        assertEquals(org.slf4j.event.Level.TRACE, levels.getLogLevel(LoggerFactory.getLogger("dev.callcontrol.calls.Hold")));
        assertEquals(org.slf4j.event.Level.WARN, levels.getLogLevel(LoggerFactory.getLogger("software.amazon.awssdk.core")));
        // Off has no slf4j level: the nearest is ERROR.
        assertEquals(org.slf4j.event.Level.ERROR, levels.getLogLevel(LoggerFactory.getLogger("org.testcontainers.DockerClientFactory")));
    }

    @Test
    void anInvocationsLinesCarryTheLambdaContextAndNothingIsLeftBehind() {
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.setContext(context);
        lines.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(lines);
        try {
            CallLog.invocation(lambdaContext("req-1"), () -> {
                CallLog.identify(Map.of("TaskSid", "WT0123456789abcdef0123456789abcdef", "CallSid", " "));
                LoggerFactory.getLogger("dev.callcontrol.calls.Hold").info("held");
                return null;
            });
        } finally {
            root.detachAppender(lines);
        }

        Map<String, String> mdc = lines.list.get(0).getMDCPropertyMap();
        assertEquals("req-1", mdc.get("function_request_id"));
        assertEquals("calls", mdc.get("function_name"));
        assertEquals("WT0123456789abcdef0123456789abcdef", mdc.get("TaskSid"));
        assertNull(mdc.get("CallSid"), "blank identifiers are left out");
        assertNull(MDC.get("TaskSid"), "the next invocation starts clean");
        assertNull(MDC.get("function_request_id"));
    }

    private static Context lambdaContext(String requestId) {
        return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[]{Context.class}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "getAwsRequestId" -> requestId;
                    case "getFunctionName" -> "calls";
                    case "getFunctionVersion" -> "$LATEST";
                    case "getInvokedFunctionArn" -> "arn:aws:lambda:us-east-1:123456789012:function:calls";
                    case "getMemoryLimitInMB", "getRemainingTimeInMillis" -> 1024;
                    default -> null;
                });
    }
}
