package dev.callcontrol.metrics;

import dev.callcontrol.config.Config;
import dev.callcontrol.config.Lazy;
import dev.callcontrol.config.Setting;
import dev.callcontrol.snapstart.Priming;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.environment.EnvironmentProvider;
import software.amazon.cloudwatchlogs.emf.model.MetricsContext;
import software.amazon.cloudwatchlogs.emf.sinks.ISink;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.internal.EmfMetricsLogger;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The metrics adapter: Powertools Metrics, writing CloudWatch embedded metric format (EMF) lines.
 * Metrics are kept while an invocation runs and written once at its end ({@link #around}), one
 * line per set of dimensions, each counted under {@code [Service]} and under
 * {@code [Service, its dimensions]}. Writing is a line to standard output: no network request,
 * so no latency an agent or Twilio would wait for (docs/metrics.md has the measurement).
 *
 * <p>Powertools' own {@code MetricsFactory} resolves its environment through the EMF library, which
 * outside Lambda probes ECS and EC2 metadata addresses over the network; the local runtime and the
 * tests must not. So the Powertools logger is built here with an environment that always writes
 * to {@link EmfOutput}, which is standard output unless redirected. The namespace and service are
 * the settings Powertools reads ({@code POWERTOOLS_METRICS_NAMESPACE}, {@code POWERTOOLS_SERVICE_NAME}),
 * read through {@link Config}; {@code POWERTOOLS_METRICS_DISABLED=true} turns writing off as
 * Powertools documents.
 *
 * <p>One instance per namespace and service in a process (Lambda runs one function per process; the
 * local runtime runs them all in one), shared by the function's flows and adapters. What several
 * invocations running at once in the local runtime record is written by whichever ends first: every
 * data point is written exactly once.
 */
public final class EmfMetrics implements CallMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(EmfMetrics.class);
    private static final Map<String, EmfMetrics> INSTANCES = new ConcurrentHashMap<>();
    /** The dimension every metric carries, as Powertools names it. */
    public static final String SERVICE = "Service";

    private final Lazy<Metrics> powertools;
    private final String namespace;
    private final String service;
    private final List<Metric> pending = new ArrayList<>();

    /**
     * The Powertools logger (and with it the EMF library and Jackson's object mapper) is built by the
     * first flush that has something to write, or by SnapStart's priming: the assignment callback's
     * cold start, which records nothing, loads none of it (ClientsOnFirstUseTest).
     */
    EmfMetrics(String namespace, String service) {
        this.namespace = namespace;
        this.service = service;
        this.powertools = Lazy.of(() -> {
            Metrics metrics = new EmfMetricsLogger(new ToEmfOutput(), new MetricsContext());
            metrics.setNamespace(namespace);
            metrics.setDefaultDimensions(DimensionSet.of(SERVICE, service));
            return metrics;
        });
    }

    /** The instance for the function's namespace and service. */
    public static EmfMetrics of(Config config) {
        String namespace = config.metricsNamespace();
        String service = config.get(Setting.POWERTOOLS_SERVICE_NAME);
        return INSTANCES.computeIfAbsent(namespace + '\n' + service, key -> {
            EmfMetrics metrics = new EmfMetrics(namespace, service);
            Priming.register("metrics (Powertools, the EMF library's serialiser)", metrics::prime);
            return metrics;
        });
    }

    /** SnapStart priming: builds the Powertools logger and serialises a line (written nowhere). */
    void prime() {
        powertools.get();
        MetricsContext line = new MetricsContext();
        line.setNamespace(namespace);
        line.putDimension(software.amazon.cloudwatchlogs.emf.model.DimensionSet.of(SERVICE, service));
        line.putMetric(HOLDS, 1, software.amazon.cloudwatchlogs.emf.model.Unit.COUNT);
        try {
            line.serialize();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("an EMF line could not be serialised", e);
        }
    }

    @Override
    public void emit(Metric metric) {
        synchronized (pending) {
            pending.add(metric);
        }
    }

    /** Runs one invocation's work and writes what it recorded, whatever the work's outcome. */
    public <T> T around(Supplier<T> work) {
        try {
            return work.get();
        } finally {
            flush();
        }
    }

    /** Writes what was recorded since the last flush; a failure to write is logged, never thrown at the invocation. */
    public void flush() {
        List<Metric> taken;
        synchronized (pending) {
            if (pending.isEmpty()) {
                return;
            }
            taken = new ArrayList<>(pending);
            pending.clear();
        }
        Map<Map<String, String>, List<Metric>> byDimensions = new LinkedHashMap<>();
        for (Metric metric : taken) {
            byDimensions.computeIfAbsent(metric.dimensions(), d -> new ArrayList<>()).add(metric);
        }
        byDimensions.forEach((dimensions, metrics) -> {
            try {
                powertools.get().flushMetrics(line -> {
                    if (!dimensions.isEmpty()) {
                        Map<String, String> all = new LinkedHashMap<>();
                        all.put(SERVICE, service);
                        all.putAll(dimensions);
                        line.addDimension(DimensionSet.of(all));
                    }
                    for (Metric metric : metrics) {
                        line.addMetric(metric.name(), metric.value(), metric.unit() == Unit.SECONDS ? MetricUnit.SECONDS : MetricUnit.COUNT);
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("{} metric data points could not be written", metrics.size(), e);
            }
        });
    }

    /** The EMF library's environment, resolved at once: every line to {@link EmfOutput}, no probing. */
    private static final class ToEmfOutput extends EnvironmentProvider {
        private static final ISink SINK = new ISink() {
            @Override
            public void accept(MetricsContext context) {
                try {
                    for (String line : context.serialize()) {
                        EmfOutput.write(line);
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("EMF line could not be serialised", e);
                }
            }

            @Override
            public CompletableFuture<Void> shutdown() {
                return CompletableFuture.completedFuture(null);
            }
        };

        private static final Environment ENVIRONMENT = new Environment() {
            @Override
            public boolean probe() {
                return true;
            }

            @Override
            public String getName() {
                return "call-control";
            }

            @Override
            public String getType() {
                return "AWS::Lambda::Function";
            }

            @Override
            public String getLogGroupName() {
                return "";
            }

            @Override
            public void configureContext(MetricsContext context) {
                // Lambda's log group is the function's own; nothing to add to the line.
            }

            @Override
            public ISink getSink() {
                return SINK;
            }
        };

        private static final CompletableFuture<Environment> RESOLVED = CompletableFuture.completedFuture(ENVIRONMENT);

        @Override
        public CompletableFuture<Environment> resolveEnvironment() {
            return RESOLVED;
        }

        @Override
        public Environment getDefaultEnvironment() {
            return ENVIRONMENT;
        }
    }
}
