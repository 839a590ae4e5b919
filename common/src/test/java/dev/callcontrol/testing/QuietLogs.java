package dev.callcontrol.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.logging.LogConfiguration;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the product's log lines (and its metrics' EMF lines) out of a passing test's output: while a test or a test class runs,
 * every line the product's JSON appender writes, from any thread, is held for it, dropped when it
 * passes and printed when it fails, under a header naming the test and the task, call, conference
 * and reservation SIDs its lines carry. Lines of a class's set-up and tear-down are held for the
 * class, and printed if the class fails.
 *
 * <p>A JUnit Platform listener rather than a Jupiter extension, so jqwik's properties and Jazzer's
 * fuzz tests are covered too. The launcher finds it through
 * {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener} of the common module's
 * test jar, which every module's tests have. {@code -Dtest.logs=show} writes the lines as they come
 * instead, for a developer watching one test.
 */
public final class QuietLogs implements TestExecutionListener {
    /** The system property that turns the holding off. */
    public static final String SHOW = "test.logs";
    /** The most lines held for one test; a longer run keeps its last lines, and says how many went. */
    static final int MOST_LINES = 5_000;

    private static final Object LOCK = new Object();
    private static final Deque<Held> RUNNING = new ArrayDeque<>();
    private static OutputStream console;
    private static OutputStream router;

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        install();
    }

    @Override
    public void executionStarted(TestIdentifier test) {
        synchronized (LOCK) {
            if (console != null) {
                RUNNING.push(new Held(test.getUniqueId()));
            }
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        Held held = finish(test.getUniqueId());
        if (held != null && result.getStatus() == TestExecutionResult.Status.FAILED) {
            System.out.print(report(test.getDisplayName(), held));
            System.out.flush();
        }
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        finish(test.getUniqueId());
    }

    /**
     * Routes the product's JSON appender through the holder, once per JVM. Without the appender
     * (another logging set-up) or with {@code -Dtest.logs=show}, lines go where they went.
     */
    static void install() {
        synchronized (LOCK) {
            if (console != null || "show".equalsIgnoreCase(System.getProperty(SHOW))) {
                return;
            }
            if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
                return;
            }
            Appender<ILoggingEvent> appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogConfiguration.APPENDER);
            if (!(appender instanceof OutputStreamAppender<ILoggingEvent> json)) {
                return;
            }
            console = json.getOutputStream();
            router = new Router();
            json.setOutputStream(router);
            // Metrics' EMF lines too: held with the test's log lines, printed only if it fails.
            OutputStream lines = router;
            dev.callcontrol.metrics.EmfOutput.redirect(line -> {
                try {
                    lines.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    /**
     * Holds the lines of the logback that {@code loader} loads for itself too (a test's isolated
     * class loader has its own logging), by handing its JSON appender the same stream. Does nothing
     * where lines are not held.
     */
    public static void holdLinesOf(ClassLoader loader) throws ReflectiveOperationException {
        OutputStream stream;
        synchronized (LOCK) {
            stream = router;
        }
        if (stream == null) {
            return;
        }
        Object context = Class.forName("org.slf4j.LoggerFactory", true, loader).getMethod("getILoggerFactory").invoke(null);
        Object root = context.getClass().getMethod("getLogger", String.class).invoke(context, Logger.ROOT_LOGGER_NAME);
        Object appender = root.getClass().getMethod("getAppender", String.class).invoke(root, LogConfiguration.APPENDER);
        if (appender != null) {
            appender.getClass().getMethod("setOutputStream", OutputStream.class).invoke(appender, stream);
        }
    }

    private static Held finish(String id) {
        synchronized (LOCK) {
            // Finished in the order started, so the one finishing is on top; anything above it
            // (a listener that missed a finish) is folded into it rather than lost.
            List<Held> above = new ArrayList<>();
            while (!RUNNING.isEmpty()) {
                Held top = RUNNING.pop();
                if (top.id.equals(id)) {
                    above.forEach(inner -> top.lines.addAll(inner.lines));
                    return top;
                }
                above.add(0, top);
            }
            above.forEach(RUNNING::addLast);
            return null;
        }
    }

    /** The header, naming the test and the SIDs its lines carry, then the lines as written. */
    static String report(String test, Held held) {
        Map<String, Set<String>> sids = new LinkedHashMap<>();
        for (String key : List.of(CallLog.TASK_SID, CallLog.CALL_SID, CallLog.CONFERENCE_SID, CallLog.RESERVATION_SID)) {
            sids.put(key, new LinkedHashSet<>());
        }
        for (String line : held.lines) {
            JsonNode mdc = mdc(line);
            sids.forEach((key, seen) -> {
                String sid = mdc.path(key).asText("");
                if (!sid.isEmpty()) {
                    seen.add(sid);
                }
            });
        }
        if (held.lines.isEmpty()) {
            return "---- failed " + test + " logged nothing ----\n";
        }
        StringBuilder out = new StringBuilder();
        out.append("---- ").append(held.lines.size()).append(" captured log line").append(held.lines.size() == 1 ? "" : "s")
                .append(" of failed ").append(test);
        sids.forEach((key, seen) -> {
            if (!seen.isEmpty()) {
                out.append(", ").append(key).append(' ').append(String.join(" ", seen));
            }
        });
        out.append(" ----\n");
        if (held.dropped > 0) {
            out.append("(").append(held.dropped).append(" earlier lines not kept)\n");
        }
        held.lines.forEach(out::append);
        out.append("---- end of captured log lines of ").append(test).append(" ----\n");
        return out.toString();
    }

    private static JsonNode mdc(String line) {
        try {
            return Json.MAPPER.readTree(line).path("mdc");
        } catch (IOException | RuntimeException notJson) {
            return Json.MAPPER.missingNode();
        }
    }

    /** What one running test or class has logged so far. */
    static final class Held {
        final String id;
        final Deque<String> lines = new ArrayDeque<>();
        int dropped;

        Held(String id) {
            this.id = id;
        }

        void add(String line) {
            if (lines.size() == MOST_LINES) {
                lines.removeFirst();
                dropped++;
            }
            lines.addLast(line);
        }
    }

    /**
     * The appender's stream while tests run: each encoded event (logback writes one per call) goes
     * to the innermost running test or class, and to the console when none runs.
     */
    private static final class Router extends OutputStream {
        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            synchronized (LOCK) {
                Held held = RUNNING.peek();
                if (held != null) {
                    held.add(new String(bytes, offset, length, StandardCharsets.UTF_8));
                    return;
                }
            }
            console.write(bytes, offset, length);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void flush() throws IOException {
            console.flush();
        }
    }
}
