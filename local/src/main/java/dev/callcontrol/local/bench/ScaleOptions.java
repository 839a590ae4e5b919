package dev.callcontrol.local.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The command line of {@link ReconcileScale}: the sizes to measure, Twilio's latency, the timeout, the runs and the warm-ups. */
record ScaleOptions(List<Integer> sizes, long latencyMillis, Integer timeoutSeconds, Integer runs, int warmups) {
    static ScaleOptions parse(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        long latency = 0;
        Integer timeout = null;
        Integer runs = null;
        int warmups = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--latency-ms" -> latency = Long.parseLong(args[++i]);
                case "--timeout-s" -> timeout = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmups" -> warmups = Integer.parseInt(args[++i]);
                default -> {
                    int size = Integer.parseInt(args[i].replace(",", "").replace("_", ""));
                    if (size < 1) {
                        throw new IllegalArgumentException("a number of live calls must be at least 1");
                    }
                    sizes.add(size);
                }
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(1_000, 10_000);
        }
        return new ScaleOptions(List.copyOf(new TreeSet<>(sizes)), latency, timeout, runs, warmups);
    }
}
