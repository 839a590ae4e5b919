package dev.callcontrol.metrics;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where embedded-metric-format lines go: standard output, one JSON object a line, which is where
 * Lambda sends them to CloudWatch Logs and CloudWatch extracts the metrics (no request to
 * CloudWatch, so nothing for an invocation to wait for). The local runtime and the tests redirect
 * them (to its own buffer, and a passing test prints nothing), as they do with log lines.
 */
public final class EmfOutput {
    private static final Consumer<String> STANDARD_OUTPUT = line -> System.out.println(line);
    private static volatile Consumer<String> destination = STANDARD_OUTPUT;

    private EmfOutput() {
    }

    /** Writes one EMF line. */
    public static void write(String line) {
        destination.accept(line);
    }

    /** Sends the lines to {@code to} from now on, answering where they went until now (to hand lines on to, or to restore). */
    public static synchronized Consumer<String> redirect(Consumer<String> to) {
        Consumer<String> previous = destination;
        destination = Objects.requireNonNull(to);
        return previous;
    }
}
