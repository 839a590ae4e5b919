package dev.callcontrol.testing;

import dev.callcontrol.metrics.CallMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The metrics port as a list: what the product counted, in order, for tests to read. */
public final class RecordedMetrics implements CallMetrics {
    private final List<Metric> metrics = new ArrayList<>();

    @Override
    public synchronized void emit(Metric metric) {
        metrics.add(metric);
    }

    public synchronized List<Metric> all() {
        return List.copyOf(metrics);
    }

    /** The data points of one metric. */
    public synchronized List<Metric> named(String name) {
        return metrics.stream().filter(m -> m.name().equals(name)).toList();
    }

    /** The data points of one metric under exactly these dimensions. */
    public synchronized List<Metric> named(String name, Map<String, String> dimensions) {
        return metrics.stream().filter(m -> m.name().equals(name) && m.dimensions().equals(dimensions)).toList();
    }

    public synchronized void clear() {
        metrics.clear();
    }
}
