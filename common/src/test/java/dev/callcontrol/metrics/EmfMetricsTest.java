package dev.callcontrol.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.config.Config;
import dev.callcontrol.config.ConfigurationException;
import dev.callcontrol.http.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The EMF lines Powertools writes for the product's metrics: one per set of dimensions, at the invocation's end. */
class EmfMetricsTest {
    private final List<String> lines = new ArrayList<>();
    private Consumer<String> before;

    @BeforeEach
    void capture() {
        before = EmfOutput.redirect(lines::add);
    }

    @AfterEach
    void restore() {
        EmfOutput.redirect(before);
    }

    private static JsonNode parse(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new AssertionError(line, e);
        }
    }

    private static List<List<String>> dimensionSets(JsonNode emf) {
        List<List<String>> out = new ArrayList<>();
        emf.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions").forEach(set -> {
            List<String> names = new ArrayList<>();
            set.forEach(n -> names.add(n.asText()));
            out.add(names);
        });
        return out;
    }

    @Test
    void metricsAreWrittenOnceAtTheInvocationsEndOneLinePerDimensionSet() {
        EmfMetrics metrics = new EmfMetrics("CallControlTest", "calls-test");
        String answer = metrics.around(() -> {
            metrics.customerHeld();
            metrics.customerHeld();
            metrics.holdEnded(Duration.ofMillis(12_500));
            metrics.transfer(CallMetrics.TransferKind.COLD, "queue", CallMetrics.Outcome.REQUESTED);
            metrics.twilioError("20429");
            assertEquals(List.of(), lines, "nothing is written while the invocation runs");
            return "done";
        });
        assertEquals("done", answer);
        assertEquals(3, lines.size(), lines.toString());

        JsonNode plain = parse(lines.get(0));
        JsonNode directive = plain.path("_aws").path("CloudWatchMetrics").get(0);
        assertEquals("CallControlTest", directive.path("Namespace").asText());
        assertEquals(List.of(List.of("Service")), dimensionSets(plain));
        assertEquals("calls-test", plain.path("Service").asText());
        assertEquals("[1.0,1.0]", plain.path("Holds").toString(), "two holds, one line");
        assertEquals(12.5, plain.path("HoldSeconds").asDouble());
        Map<String, String> units = new java.util.HashMap<>();
        directive.path("Metrics").forEach(m -> units.put(m.path("Name").asText(), m.path("Unit").asText()));
        assertEquals(Map.of("Holds", "Count", "HoldSeconds", "Seconds"), units);

        JsonNode transfer = parse(lines.get(1));
        List<List<String>> sets = dimensionSets(transfer);
        assertEquals(2, sets.size(), sets.toString());
        assertEquals(List.of("Service"), sets.get(0));
        assertEquals(java.util.Set.of("Service", "TransferKind", "TargetKind"), java.util.Set.copyOf(sets.get(1)),
                "counted for the whole service and by kind and target");
        assertEquals("cold", transfer.path("TransferKind").asText());
        assertEquals("queue", transfer.path("TargetKind").asText());
        assertEquals(1.0, transfer.path("TransfersRequested").asDouble());

        JsonNode errors = parse(lines.get(2));
        assertEquals("20429", errors.path("ErrorCode").asText());
        assertEquals(1.0, errors.path("TwilioErrors").asDouble());

        metrics.flush();
        assertEquals(3, lines.size(), "what was written is not written again");
    }

    @Test
    void whatAFailedInvocationRecordedIsWrittenToo() {
        EmfMetrics metrics = new EmfMetrics("CallControlTest", "calls-test");
        assertThrows(IllegalStateException.class, () -> metrics.around(() -> {
            metrics.signatureRefused();
            throw new IllegalStateException("the work failed");
        }));
        assertEquals(1, lines.size());
        assertEquals(1.0, parse(lines.get(0)).path("SignaturesRefused").asDouble());
    }

    @Test
    void anInvocationThatRecordedNothingWritesNothing() {
        EmfMetrics metrics = new EmfMetrics("CallControlTest", "calls-test");
        assertEquals(1, metrics.around(() -> 1));
        assertEquals(List.of(), lines);
    }

    @Test
    void theNamespaceAndServiceComeFromTheSettingsAndOneInstanceServesThemAll() {
        Config config = Config.of(Map.of("POWERTOOLS_METRICS_NAMESPACE", "ContactCentre/Calls", "POWERTOOLS_SERVICE_NAME", "calls-eu"));
        EmfMetrics metrics = EmfMetrics.of(config);
        assertSame(metrics, EmfMetrics.of(config));
        metrics.recovered("transfer_timeout");
        metrics.flush();
        JsonNode line = parse(lines.get(0));
        assertEquals("ContactCentre/Calls", line.path("_aws").path("CloudWatchMetrics").get(0).path("Namespace").asText());
        assertEquals("calls-eu", line.path("Service").asText());
        assertEquals("transfer_timeout", line.path("Repair").asText());

        assertEquals("CallControl", Config.of(Map.of()).metricsNamespace(), "the default namespace");
        for (String wrong : List.of("AWS/Lambda", "calls|prod", "Contact Centre", "x".repeat(256))) {
            assertThrows(ConfigurationException.class, () -> Config.of(Map.of("POWERTOOLS_METRICS_NAMESPACE", wrong)).metricsNamespace(), wrong);
        }
    }

    @Test
    void noCallTaskOrWorkerSidCanBeADimension() {
        EmfMetrics metrics = new EmfMetrics("CallControlTest", "calls-test");
        metrics.transfer(CallMetrics.TransferKind.WARM, "WK00000000000000000000000000000003", CallMetrics.Outcome.FAILED);
        metrics.flush();
        assertEquals("other", parse(lines.get(0)).path("TargetKind").asText(), "a target kind outside worker, queue and number is 'other'");
        assertTrue(lines.get(0).indexOf("WK0") < 0, lines.get(0));
    }
}
