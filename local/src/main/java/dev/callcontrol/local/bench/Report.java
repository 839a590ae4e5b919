package dev.callcontrol.local.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's figures and tables, printed as Markdown: a median with its range per measurement,
 * the cold-start table (every function and floor, all cores and one core, peak RSS) and the
 * one-core comparison tables of {@link Comparisons}.
 */
final class Report {
    /** One function's (or floor's) figures. */
    record Row(String name, String event, String status, List<Double> allCores, List<Double> oneCore, List<Long> rssKb) {
    }

    private Report() {
    }

    /** A one-core comparison table: its title line, then six columns per function. */
    static void printComparison(String title, String columns, List<String> rows, int runs, boolean taskset) {
        System.out.printf("%s: %d runs per function and mode, a fresh JVM each (%s), java %s%n%n", title, runs,
                taskset ? "pinned with taskset -c 0" : "taskset not found: all cores", Runtime.version());
        System.out.println("| Function | Sample event | Status | " + columns + " |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        rows.forEach(System.out::println);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String summary(List<Double> values) {
        if (values.isEmpty()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.0f (%.0f–%.0f)", median(values), values.stream().min(Comparator.naturalOrder()).orElseThrow(),
                values.stream().max(Comparator.naturalOrder()).orElseThrow());
    }

    static void print(List<Row> rows, int runs, List<String> deployJars, boolean taskset) throws IOException {
        long bytes = 0;
        for (String jar : deployJars) {
            bytes += Files.size(Path.of(jar));
        }
        System.out.printf("Cold start: %d runs per function, a fresh JVM each (%s), java %s, %d cores%n", runs,
                taskset ? "also pinned with taskset -c 0" : "taskset not found: no one-core figures", Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("Deployable: %d jars, %.1f MB%n%n", deployJars.size(), bytes / 1_000_000.0);
        System.out.println("| Function | Sample event | Status | Cold, all cores: median (min–max) ms | Cold, one core: median (min–max) ms | Peak RSS, median MB |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        for (Row row : rows) {
            double rss = row.rssKb().stream().mapToLong(Long::longValue).sorted().skip(row.rssKb().size() / 2).findFirst().orElse(-1) / 1024.0;
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %.0f |%n", row.name(), row.event(), row.status(), summary(row.allCores()),
                    summary(row.oneCore()), rss);
        }
    }
}
