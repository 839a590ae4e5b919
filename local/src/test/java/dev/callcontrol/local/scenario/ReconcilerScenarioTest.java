package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Self-healing with the local runtime: a webhook Twilio delivered and the product never received
 * (the simulator drops it, {@code POST /sim/faults {"webhook": ..., "drop": true}}) is made good by
 * the reconciler, which runs on the simulator's clock every {@code RECONCILE_SCHEDULE} (a minute),
 * within two of its periods; {@code POST /dev/reconcile} runs it at once.
 */
class ReconcilerScenarioTest extends CallCentreScenario {
    private static final String CONFERENCE_EVENTS = "^/twilio/conference-events$";

    private static void dropNext(String path) {
        sim.addFault(Map.of("webhook", path, "nth", 1, "times", 1, "drop", true));
    }

    @Test
    void aCustomerWhoseAgentsLeaveWasLostIsNotLeftAloneInTheConference() {
        String customer = "+14155550171";
        Connected call = connect(customer);
        dropNext(CONFERENCE_EVENTS);
        hangUp(call.agent());
        sim.clearFaults();
        // The agent's participant-leave never arrived: the record still has them, and the customer hears nobody.
        assertEquals(Set.of("silence"), sim.hears(customer));
        assertTrue(signIn("sam").get("/calls/" + call.task()).body().path("agent").has("callSid"), "the record still has the agent");

        sim.advance(120);
        assertEquals(null, sim.liveCall(customer), "the reconciler applied the leave and the last-agent rule ended the call");
        JsonNode view = signIn("sam").get("/calls/" + call.task()).body();
        assertEquals("ended", view.path("status").asText(), view.toString());
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText());
        finishWrapUp();
    }

    @Test
    void aLostConferenceEndStillMovesTheAgentsTaskOnAndClosesTheRecord() {
        String customer = "+14155550172";
        Connected call = connect(customer);
        // The customer hangs up: their leave and the conference's end are both lost.
        sim.addFault(Map.of("webhook", CONFERENCE_EVENTS, "nth", 1, "times", 10, "drop", true));
        hangUp(customer);
        sim.clearFaults();
        assertEquals("active", signIn("sam").get("/calls/" + call.task()).body().path("status").asText());

        JsonNode outcome = reconcileNow();
        assertTrue(outcome.path("repaired").asInt() >= 1, outcome.toString());
        JsonNode view = signIn("sam").get("/calls/" + call.task()).body();
        assertEquals("ended", view.path("status").asText(), view.toString());
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText());
        assertEquals(0, reconcileNow().path("repaired").asInt(), "a second run finds nothing to repair");
        finishWrapUp();
    }

    @Test
    void aCallNothingWasLostFromIsLeftAsItIs() {
        String customer = "+14155550173";
        Connected call = connect(customer);
        sim.clearRequests();
        JsonNode outcome = reconcileNow();
        assertEquals(0, outcome.path("repaired").asInt(), outcome.toString());
        assertTrue(outcome.path("visited").asInt() >= 1, outcome.toString());
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        assertTrue(requests("POST", ".*").isEmpty(), "the reconciler only reads: " + requests("POST", ".*"));
        hangUp(customer);
        finishWrapUp();
    }

    private static JsonNode reconcileNow() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(runtime.baseUrl() + "/dev/reconcile"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return Json.parse(response.body(), "the reconciler's answer");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
