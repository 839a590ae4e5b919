package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

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
    /** The defaults of MAX_HOLD_SECONDS and TRANSFER_TIMEOUT_SECONDS, which the scenarios run with. */
    private static final int MAX_HOLD_SECONDS = 300;
    private static final int TRANSFER_TIMEOUT_SECONDS = 120;

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

    @Test
    void aCustomerHeldPastTheLimitIsBroughtBackToTheAgentWithinTwoPeriods() {
        String customer = "+14155550174";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", true)).status());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));

        sim.advance(MAX_HOLD_SECONDS - 61);
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer), "under the limit the customer stays on hold");
        sim.clearRequests();
        sim.advance(61 + 2 * 60);
        assertEquals(Set.of(call.agent()), sim.hears(customer), "the watchdog took the customer off hold, back to the agent");
        List<JsonNode> announcements = requests("POST", ".*/Participants/.*\\.json").stream()
                .filter(r -> r.path("parameters").path("AnnounceUrl").path(0).asText().contains("/twilio/announcement?say=hold-limit")).toList();
        assertEquals(1, announcements.size(), "the agent heard why, once: " + sim.requests());
        JsonNode view = agent.get("/calls/" + call.task()).body();
        assertEquals(false, view.path("hold").asBoolean(), view.toString());
        assertEquals("hold_limit_resumed", view.path("audit").path(0).path("event").asText(), view.toString());
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void aTransferToAWorkerWhoNeverAnswersEndsAfterTheTimeoutEvenWhenTwilioSaysNothing() {
        String customer = "+14155550175";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        // Carol is away from her phone, and every report of it ringing out (call status, TaskRouter's events) is lost.
        sim.addFault(Map.of("webhook", "^/twilio/(call-events|taskrouter-events)$", "nth", 1, "times", 1000, "drop", true));
        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        assertEquals(202, started.status(), started.body().toString());
        String transferTask = started.body().path("transfer").path("taskSid").asText();

        sim.advance(TRANSFER_TIMEOUT_SECONDS + 2 * 60);
        sim.clearFaults();
        JsonNode view = signIn("sam").get("/calls/" + call.task()).body();
        assertEquals(1, view.path("transfer").path("requeues").asInt(), view.toString());
        assertEquals("queue", view.path("transfer").path("target").asText(), view.toString());
        assertTrue(StreamSupport.stream(view.path("audit").spliterator(), false).anyMatch(e -> e.path("event").asText().equals("transfer_timeout")), view.toString());
        assertEquals("canceled", task(transferTask).path("assignment_status").asText());
        JsonNode requeued = task(view.path("transfer").path("taskSid").asText());
        assertEquals(20, requeued.path("priority").asInt(), requeued.toString());
        assertTrue(Set.of(HOLD_MUSIC).equals(sim.hears(customer)), "the customer waits on music for the queue's next agent");
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void aWrapUpThatFailedWhenTheCallEndedIsMadeGoodByTheReconciler() {
        String customer = "+14155550176";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        assertEquals(202, started.status(), started.body().toString());
        String transferTask = started.body().path("transfer").path("taskSid").asText();
        sim.answer(sim.ringing("carol"));
        assertEquals(Set.of("carol"), sim.hears(customer));

        // TaskRouter refuses every update of carol's task while the call ends: the product's wrap-up of it fails.
        sim.addFault(Map.of("method", "POST", "path", "/Tasks/" + transferTask + "$", "nth", 1, "times", 100, "status", 500));
        hangUp(customer);
        sim.clearFaults();
        assertEquals("assigned", task(transferTask).path("assignment_status").asText(), "the wrap-up failed");

        JsonNode outcome = reconcileNow();
        assertEquals(1, outcome.path("repaired").asInt(), outcome.toString());
        assertEquals("wrapping", task(transferTask).path("assignment_status").asText(), "the reconciler moved the ended call's task on");
        assertEquals(0, reconcileNow().path("live").asInt(), "settled, the call left the live calls");
        JsonNode view = signIn("sam").get("/calls/" + call.task()).body();
        assertTrue(StreamSupport.stream(view.path("audit").spliterator(), false).anyMatch(e -> e.path("event").asText().equals("tasks_settled")),
                view.toString());
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
