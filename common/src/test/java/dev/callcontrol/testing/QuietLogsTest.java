package dev.callcontrol.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.OutputStreamAppender;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.logging.LogConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/** Runs a passing and a deliberately failing test through the JUnit launcher, as Surefire does, and reads what they print. */
class QuietLogsTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String CALL = "CA0123456789abcdef0123456789abcdef";

    @Test
    void theProductsAppenderWritesThroughTheHolderWhileTestsRun() {
        assumeFalse("show".equalsIgnoreCase(System.getProperty(QuietLogs.SHOW)), "-Dtest.logs=show writes lines as they come");
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        OutputStreamAppender<?> json = (OutputStreamAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogConfiguration.APPENDER);
        assertEquals("Router", json.getOutputStream().getClass().getSimpleName());
    }

    @Test
    void aPassingTestPrintsNothingOfTheProductsLogs() {
        assumeFalse("show".equalsIgnoreCase(System.getProperty(QuietLogs.SHOW)), "-Dtest.logs=show writes lines as they come");
        Run run = run(Passing.class);

        assertEquals(1, run.summary.getTestsSucceededCount());
        assertEquals("", run.printed);
    }

    @Test
    void aFailingTestPrintsItsLinesFromEveryThreadUnderItsTaskAndCallSids() {
        assumeFalse("show".equalsIgnoreCase(System.getProperty(QuietLogs.SHOW)), "-Dtest.logs=show writes lines as they come");
        Run run = run(Failing.class);

        assertEquals(1, run.summary.getTestsFailedCount());
        String[] lines = run.printed.split("\n");
        assertEquals("---- 2 captured log lines of failed holdsTheCaller(), TaskSid " + TASK + ", CallSid " + CALL + " ----", lines[0]);
        assertTrue(lines[1].contains("\"formattedMessage\":\"Holding the customer\""), lines[1]);
        assertTrue(lines[2].contains("\"formattedMessage\":\"Status callback on another thread\""), lines[2]);
        assertEquals("---- end of captured log lines of holdsTheCaller() ----", lines[3]);
        assertEquals(4, lines.length, run.printed);
        assertFalse(run.printed.contains("Class set-up"), "the class passed, so its own lines are not shown");
    }

    @Test
    void aLongRunKeepsItsLastLinesAndSaysHowManyWent() {
        QuietLogs.Held held = new QuietLogs.Held("[test:long]");
        for (int i = 0; i < QuietLogs.MOST_LINES + 3; i++) {
            held.add("{\"formattedMessage\":\"line " + i + "\"}\n");
        }
        String report = QuietLogs.report("long()", held);

        assertTrue(report.startsWith("---- " + QuietLogs.MOST_LINES + " captured log lines of failed long() ----\n(3 earlier lines not kept)\n{\"formattedMessage\":\"line 3\"}\n"), report.substring(0, 200));
        assertTrue(report.endsWith("{\"formattedMessage\":\"line " + (QuietLogs.MOST_LINES + 2) + "\"}\n---- end of captured log lines of long() ----\n"));
    }

    private record Run(TestExecutionSummary summary, String printed) {
    }

    private static Run run(Class<?> tests) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            launcher.execute(request().selectors(selectClass(tests)).build(), summary);
        } finally {
            System.setOut(out);
        }
        return new Run(summary.getSummary(), printed.toString(StandardCharsets.UTF_8));
    }

    /** Not run by Surefire (a nested class); run by the tests above through the launcher. */
    static class Passing {
        @Test
        void holdsTheCaller() {
            LoggerFactory.getLogger("dev.callcontrol.calls.Hold").info("Holding the customer");
        }
    }

    /** Not run by Surefire (a nested class); run by the tests above through the launcher. */
    static class Failing {
        @org.junit.jupiter.api.BeforeAll
        static void setUp() {
            LoggerFactory.getLogger("dev.callcontrol.local.LocalRuntime").info("Class set-up");
        }

        @Test
        void holdsTheCaller() throws InterruptedException {
            MDC.put(CallLog.TASK_SID, TASK);
            try {
                LoggerFactory.getLogger("dev.callcontrol.calls.Hold").info("Holding the customer");
            } finally {
                MDC.clear();
            }
            Thread other = new Thread(() -> {
                MDC.put(CallLog.CALL_SID, CALL);
                LoggerFactory.getLogger("dev.callcontrol.functions.CallStatusFunction").warn("Status callback on another thread");
            });
            other.start();
            other.join();
            fail("a deliberately broken assertion");
        }
    }
}
