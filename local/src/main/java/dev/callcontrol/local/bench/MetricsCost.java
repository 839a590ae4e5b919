package dev.callcontrol.local.bench;

import dev.callcontrol.config.Config;
import dev.callcontrol.metrics.CallMetrics;
import dev.callcontrol.metrics.EmfMetrics;
import dev.callcontrol.metrics.EmfOutput;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What writing metrics adds to an invocation (a benchmark, not a test): the time
 * {@link EmfMetrics#around} takes beyond the work it wraps, for an invocation that recorded what a
 * cold transfer's command records (a transfer requested, a hold: two EMF lines) and for one that
 * recorded nothing. The lines go to a {@link PrintStream} on {@code /dev/null}, as Lambda's go to
 * the runtime's standard output: the cost measured is Powertools building the lines, the EMF
 * library serialising them and the write, with no network (there is none to measure).
 *
 * <p>Usage, with the functions' JVM flags: {@code java -XX:+TieredCompilation -XX:TieredStopAtLevel=1
 * -cp <local's class path> dev.callcontrol.local.bench.MetricsCost [invocations]} (default 20,000).
 * Prints the first invocation's figure (a fresh JVM: Powertools' and the EMF library's classes load
 * then), and the warm p50, p99 and mean.
 */
public final class MetricsCost {
    private MetricsCost() {
    }

    public static void main(String[] args) throws IOException {
        int invocations = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        try (PrintStream devNull = new PrintStream(new FileOutputStream("/dev/null"), false, StandardCharsets.UTF_8)) {
            EmfOutput.redirect(devNull::println);
            EmfMetrics metrics = EmfMetrics.of(Config.of(Map.of()));
            Supplier<String> coldTransferCommand = () -> {
                metrics.transfer(CallMetrics.TransferKind.COLD, "worker", CallMetrics.Outcome.REQUESTED);
                metrics.customerHeld();
                return "answered";
            };
            Supplier<String> nothingRecorded = () -> "answered";

            long first = time(metrics, coldTransferCommand);
            System.out.printf(Locale.ROOT, "first invocation in a fresh JVM (classes loading): %.2f ms%n", first / 1e6);

            for (var run : Map.of("recording a transfer and a hold (2 lines)", coldTransferCommand,
                    "recording nothing (0 lines)", nothingRecorded).entrySet()) {
                for (int i = 0; i < invocations / 4; i++) {
                    time(metrics, run.getValue());
                }
                long[] nanos = new long[invocations];
                for (int i = 0; i < invocations; i++) {
                    nanos[i] = time(metrics, run.getValue());
                }
                Arrays.sort(nanos);
                System.out.printf(Locale.ROOT, "%s, %d warm invocations: p50 %.1f us, p99 %.1f us, mean %.1f us%n", run.getKey(), invocations,
                        nanos[invocations / 2] / 1e3, nanos[(int) (invocations * 0.99)] / 1e3, Arrays.stream(nanos).average().orElse(0) / 1e3);
            }
        }
    }

    /** The nanoseconds {@code around} takes for work that does nothing but record (so all of it is the metrics'). */
    private static long time(EmfMetrics metrics, Supplier<String> work) {
        long start = System.nanoTime();
        metrics.around(work);
        return System.nanoTime() - start;
    }
}
