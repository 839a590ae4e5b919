package dev.callcontrol.local;

import dev.callcontrol.metrics.EmfOutput;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The metrics' EMF lines the local runtime's functions write, kept in memory (the newest
 * {@link #KEPT}) for tests and tools to read, and handed on to wherever they went before: the
 * console for a developer's local run (as Lambda's go to CloudWatch Logs), the held test output
 * under the tests. Installed once per process, as the functions share it.
 */
public final class EmfLines {
    /** The most lines kept; older ones are dropped. */
    public static final int KEPT = 10_000;

    private static final Deque<String> LINES = new ArrayDeque<>();
    private static boolean installed;

    private EmfLines() {
    }

    /** Starts keeping lines, once per process. */
    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        AtomicReference<Consumer<String>> next = new AtomicReference<>();
        next.set(EmfOutput.redirect(line -> {
            synchronized (LINES) {
                if (LINES.size() == KEPT) {
                    LINES.removeFirst();
                }
                LINES.addLast(line);
            }
            next.get().accept(line);
        }));
    }

    /** The lines kept, oldest first. */
    public static List<String> lines() {
        synchronized (LINES) {
            return List.copyOf(LINES);
        }
    }

    /** Forgets the lines kept so far (a test reading only what its scenario wrote). */
    public static void clear() {
        synchronized (LINES) {
            LINES.clear();
        }
    }
}
