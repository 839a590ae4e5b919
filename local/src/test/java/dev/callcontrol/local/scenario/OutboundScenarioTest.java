package dev.callcontrol.local.scenario;

import dev.callcontrol.local.Agent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Outbound calls go through a task and the conference instruction, and then behave like any call. */
class OutboundScenarioTest extends CallCentreScenario {

    @Test
    void theAgentIsRungFirstThenTheCustomerAndHoldSupervisionAndTransferWorkAsOnInboundCalls() {
        String customer = "+14155550141";
        Agent alice = signIn("alice");
        sim.clearRequests();
        Agent.Answer placed = alice.post("/calls", Map.of("to", customer));
        assertEquals(202, placed.status(), placed.body().toString());
        String task = placed.body().path("taskSid").asText();
        JsonNode attributes = Json.parse(task(task).path("attributes").asText(), "attributes");
        assertEquals(customer, attributes.path("outbound_to").asText());
        assertEquals(DemoWorkspace.ALICE, attributes.path("requested_agent").asText());

        // The agent is dialled first; only when she is in the conference does the customer's phone ring.
        assertNull(sim.liveCall(customer), "the customer is not dialled before the agent answers");
        sim.answer(sim.ringing("alice"));
        String ringing = sim.ringing(customer);
        assertEquals(Set.of("silence"), sim.hears("alice"), "alone in the conference while the customer's phone rings");
        sim.answer(ringing);
        assertEquals(Set.of("alice"), sim.hears(customer));
        assertEquals(Set.of(customer), sim.hears("alice"));
        assertEquals(task, sim.liveCall(customer).path("conference").asText(), "the conference is named by the task");
        JsonNode view = alice.get("/calls/" + task).body();
        assertEquals(DemoWorkspace.ALICE, view.path("agent").path("workerSid").asText(), view.toString());
        assertEquals(sim.liveCall(customer).path("callSid").asText(), view.path("customer").path("callSid").asText());

        // Hold.
        assertEquals(200, alice.post("/calls/" + task + "/hold", Map.of("hold", true)).status());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertEquals(200, alice.post("/calls/" + task + "/hold", Map.of("hold", false)).status());
        assertEquals(Set.of("alice"), sim.hears(customer));

        // A supervisor monitors.
        Agent sam = signIn("sam");
        assertEquals(200, sam.post("/calls/" + task + "/supervisor", Map.of("mode", "monitor")).status());
        sim.answer(sim.ringing("sam"));
        assertEquals(Set.of(customer, "alice"), sim.hears("sam"));
        assertEquals(Set.of("alice"), sim.hears(customer));
        assertEquals(200, sam.delete("/calls/" + task + "/supervisor").status());

        // Cold transfer to bob.
        assertEquals(202, alice.post("/calls/" + task + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.BOB))).status());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        sim.answer(sim.ringing("bob"));
        assertEquals(Set.of("bob"), sim.hears(customer));
        assertEquals(Set.of(customer), sim.hears("bob"));
        hangUp(customer);
        assertEquals("wrapping", task(task).path("assignment_status").asText());
    }

    @Test
    void anOutboundCallWhoseAgentNeverAnswersIsCanceledAndTheCustomerNeverDialled() {
        String customer = "+14155550143";
        Agent alice = signIn("alice");
        Agent.Answer placed = alice.post("/calls", Map.of("to", customer));
        assertEquals(202, placed.status(), placed.body().toString());
        String task = placed.body().path("taskSid").asText();
        // Alice does not take it (her phone is declined each time it rings); past TRANSFER_TIMEOUT_SECONDS TaskRouter cancels it.
        for (int seconds = 0; seconds < 150; seconds += 10) {
            String ringing = sim.liveCall("alice") == null ? null : sim.liveCall("alice").path("callSid").asText();
            if (ringing != null) {
                sim.decline(ringing);
            }
            sim.advance(10);
        }
        assertEquals("canceled", task(task).path("assignment_status").asText(), "not left pending for a day");
        assertNull(sim.liveCall(customer), "the customer was never dialled");
    }

    @Test
    void outboundCallsAreCheckedBeforeAnythingIsDialled() {
        int tasksBefore = sim.tasks().size();
        Agent alice = signIn("alice");
        assertEquals(401, Agent.anonymous(runtime.baseUrl()).post("/calls", Map.of("to", "+14155550142")).status());
        assertEquals(400, alice.post("/calls", Map.of("to", "0800 123")).status());
        assertEquals(400, alice.post("/calls", Map.of("number", "+14155550142")).status());
        Agent.Answer refused = alice.post("/calls", Map.of("to", "+442071838750"));
        assertEquals(403, refused.status());
        assertEquals("destination_not_allowed", refused.body().path("error").path("code").asText());
        assertEquals(0, sim.tasks().size() - tasksBefore, "no task was created");
    }
}
