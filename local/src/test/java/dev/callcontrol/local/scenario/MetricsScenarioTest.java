package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.EmfLines;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics a hold, a cold transfer and a warm transfer write, read from the EMF lines the
 * functions wrote (as CloudWatch would read them from the logs): names, values, units, the
 * namespace and the dimension sets, and no call, task or worker SID anywhere in them.
 */
class MetricsScenarioTest extends CallCentreScenario {
    private static final Pattern SID = Pattern.compile("(WT|CA|CF|WK|WR|WW|WS|AC)[0-9a-fA-F]{32}");

    /** One data point as CloudWatch extracts it: under every dimension set of its line. */
    record Point(String name, String unit, double value, Map<String, String> dimensions) {
    }

    @BeforeEach
    void forgetEarlierLines() {
        EmfLines.clear();
    }

    private static List<Point> points() {
        List<Point> out = new ArrayList<>();
        for (String line : EmfLines.lines()) {
            assertFalse(SID.matcher(line).find(), "a SID in a metric line: " + line);
            JsonNode emf;
            try {
                emf = Json.MAPPER.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + line, e);
            }
            JsonNode directive = emf.path("_aws").path("CloudWatchMetrics").get(0);
            assertEquals("CallControl", directive.path("Namespace").asText(), line);
            assertTrue(emf.path("_aws").path("Timestamp").isNumber(), line);
            // Every metric counts under [Service] and, if it has more, [Service, its dimensions].
            JsonNode sets = directive.path("Dimensions");
            assertEquals(List.of("Service"), names(sets.get(0)), line);
            Map<String, String> dimensions = new TreeMap<>();
            JsonNode widest = sets.get(sets.size() - 1);
            widest.forEach(name -> dimensions.put(name.asText(), emf.path(name.asText()).asText()));
            assertEquals("call-control", dimensions.get("Service"), line);
            for (JsonNode metric : directive.path("Metrics")) {
                String name = metric.path("Name").asText();
                JsonNode values = emf.path(name);
                for (JsonNode value : values.isArray() ? values : List.of(values)) {
                    out.add(new Point(name, metric.path("Unit").asText(), value.asDouble(), dimensions));
                }
            }
        }
        return out;
    }

    private static List<String> names(JsonNode set) {
        List<String> out = new ArrayList<>();
        set.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<Point> named(List<Point> points, String name) {
        return points.stream().filter(p -> p.name().equals(name)).toList();
    }

    private static Map<String, String> transfer(String kind, String target) {
        return new TreeMap<>(Map.of("Service", "call-control", "TransferKind", kind, "TargetKind", target));
    }

    @Test
    void aHoldIsCountedAndTimed() {
        String customer = "+14155550191";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        EmfLines.clear();

        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", true)).status());
        sim.advance(30);
        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", false)).status());

        List<Point> points = points();
        List<Point> holds = named(points, "Holds");
        assertEquals(1, holds.size(), points.toString());
        assertEquals(new Point("Holds", "Count", 1, Map.of("Service", "call-control")), holds.get(0));
        List<Point> seconds = named(points, "HoldSeconds");
        assertEquals(1, seconds.size(), points.toString());
        assertEquals("Seconds", seconds.get(0).unit());
        assertEquals(Map.of("Service", "call-control"), seconds.get(0).dimensions());
        assertTrue(seconds.get(0).value() >= 30 && seconds.get(0).value() < 40, "held for the 30 s the clock moved: " + seconds.get(0));
        assertTrue(named(points, "TransfersRequested").isEmpty(), points.toString());
        hangUp(customer);
    }

    @Test
    void aColdTransferIsRequestedCompletedAndItsAnswerTimed() {
        String customer = "+14155550192";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        EmfLines.clear();

        assertEquals(202, agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL))).status());
        sim.advance(8);
        sim.answer(sim.ringing("carol"));
        assertEquals(java.util.Set.of("carol"), sim.hears(customer));

        List<Point> points = points();
        assertEquals(List.of(new Point("TransfersRequested", "Count", 1, transfer("cold", "worker"))), named(points, "TransfersRequested"));
        assertEquals(List.of(new Point("TransfersCompleted", "Count", 1, transfer("cold", "worker"))), named(points, "TransfersCompleted"));
        assertTrue(named(points, "TransfersFailed").isEmpty() && named(points, "TransfersCanceled").isEmpty(), points.toString());
        List<Point> answer = named(points, "TransferAnswerSeconds");
        assertEquals(1, answer.size(), points.toString());
        assertEquals("Seconds", answer.get(0).unit());
        assertEquals(transfer("cold", "worker"), answer.get(0).dimensions());
        assertTrue(answer.get(0).value() >= 8 && answer.get(0).value() < 20, "carol answered after the 8 s the clock moved: " + answer.get(0));
        // The customer waited on hold for the target: one hold, ended by the target's join.
        assertEquals(1, named(points, "Holds").size(), points.toString());
        assertEquals(1, named(points, "HoldSeconds").size(), points.toString());
        hangUp(customer);
    }

    @Test
    void aWarmTransferIsRequestedItsAnswerAndConsultationTimedAndCompleted() {
        String customer = "+14155550193";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String path = "/calls/" + call.task() + "/warm-transfer";
        EmfLines.clear();

        assertEquals(201, agent.post(path, Map.of("to", Map.of("worker", DemoWorkspace.CAROL))).status());
        sim.advance(6);
        sim.answer(sim.ringing("carol"));
        sim.advance(20);
        assertEquals(200, agent.post(path + "/three-way", Map.of()).status());
        assertEquals(200, agent.post(path + "/complete", Map.of()).status());

        List<Point> points = points();
        assertEquals(List.of(new Point("TransfersRequested", "Count", 1, transfer("warm", "worker"))), named(points, "TransfersRequested"));
        assertEquals(List.of(new Point("TransfersCompleted", "Count", 1, transfer("warm", "worker"))), named(points, "TransfersCompleted"));
        List<Point> answer = named(points, "TransferAnswerSeconds");
        assertEquals(1, answer.size(), points.toString());
        assertEquals(transfer("warm", "worker"), answer.get(0).dimensions());
        assertTrue(answer.get(0).value() >= 6 && answer.get(0).value() < 20, answer.get(0).toString());
        List<Point> consult = named(points, "ConsultSeconds");
        assertEquals(1, consult.size(), points.toString());
        assertEquals("Seconds", consult.get(0).unit());
        assertEquals(new TreeMap<>(Map.of("Service", "call-control", "TargetKind", "worker")), consult.get(0).dimensions());
        assertTrue(consult.get(0).value() >= 20 && consult.get(0).value() < 35, "the agents talked for the 20 s the clock moved: " + consult.get(0));
        assertTrue(named(points, "Recoveries").isEmpty() && named(points, "SignaturesRefused").isEmpty(), points.toString());
        hangUp(customer);
    }

    @Test
    void webhooksWithAMissingOrWrongSignatureAreCountedAsRefused() throws Exception {
        // Unsigned refusals are counted with their log line, at most one a second: let the window of earlier cases pass.
        Thread.sleep(1_100);
        String wellShapedButWrong = "A".repeat(27) + "=";
        for (String signature : List.of("", wellShapedButWrong, wellShapedButWrong)) {
            assertEquals(403, refusedWebhook(signature));
        }
        List<Point> refused = named(points(), "SignaturesRefused");
        assertEquals(3, refused.size(), refused.toString());
        assertTrue(refused.get(0).value() >= 1, "the unsigned one, with any refused unsigned since the last line: " + refused);
        for (Point point : refused) {
            assertEquals("Count", point.unit());
            assertEquals(Map.of("Service", "call-control"), point.dimensions());
        }
        assertEquals(1, refused.get(1).value());
        assertEquals(1, refused.get(2).value());
    }

    private static int refusedWebhook(String signature) throws Exception {
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(runtime.baseUrl() + "/twilio/conference-events"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", signature)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("StatusCallbackEvent=conference-start&SequenceNumber=1"))
                .build();
        return http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
