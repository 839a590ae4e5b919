package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.LocalDefaults;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Caller ID choice: an outbound call or a transfer to a number shows the caller ID the agent chose
 * from {@code OUTBOUND_CALLER_IDS} (the local runtime's default is the demo account's second number),
 * {@code CALLER_ID} without one; any other is refused before anything is dialled.
 */
class CallerIdScenarioTest extends CallCentreScenario {
    private static final String CHOSEN = LocalDefaults.SECOND_CALLER_ID;
    /** A well-formed number that is no caller ID of the account. */
    private static final String FOREIGN = "+14155550100";

    private static String callerIdDialling(JsonNode created) {
        return created.path("parameters").path("From").path(0).asText();
    }

    private JsonNode participantCreated() {
        return sim.requests().stream()
                .filter(r -> r.path("method").asText().equals("POST") && r.path("path").asText().endsWith("/Participants.json"))
                .reduce((first, second) -> second).orElseThrow();
    }

    @Test
    void anOutboundCallShowsTheCustomerTheCallerIdTheAgentChose() {
        String customer = "+14155550161";
        Agent alice = signIn("alice");
        Agent.Answer placed = alice.post("/calls", Map.of("to", customer, "from", CHOSEN));
        assertEquals(202, placed.status(), placed.body().toString());
        String task = placed.body().path("taskSid").asText();
        JsonNode attributes = Json.parse(task(task).path("attributes").asText(), "attributes");
        assertEquals(CHOSEN, attributes.path("outbound_from").asText());

        sim.answer(sim.ringing("alice"));
        String ringing = sim.ringing(customer);
        assertEquals(CHOSEN, sim.liveCall(customer).path("from").asText(), "the customer's phone shows the chosen caller ID");
        sim.answer(ringing);
        assertEquals(Set.of("alice"), sim.hears(customer));
        hangUp(customer);
    }

    @Test
    void anOutboundCallWithoutACallerIdShowsCallerId() {
        String customer = "+14155550162";
        Agent alice = signIn("alice");
        assertEquals(202, alice.post("/calls", Map.of("to", customer)).status());
        sim.answer(sim.ringing("alice"));
        sim.answer(sim.ringing(customer));
        assertEquals(DemoWorkspace.PHONE_NUMBER, sim.liveCall(customer).path("from").asText());
        hangUp(customer);
    }

    @Test
    void aCallerIdOutsideTheListIsRefusedAndNothingIsDialled() {
        int tasksBefore = sim.tasks().size();
        Agent alice = signIn("alice");
        Agent.Answer refused = alice.post("/calls", Map.of("to", "+14155550163", "from", FOREIGN));
        assertEquals(403, refused.status(), refused.body().toString());
        assertEquals("caller_id_not_allowed", refused.body().path("error").path("code").asText());
        assertEquals(400, alice.post("/calls", Map.of("to", "+14155550163", "from", "my office")).status());
        assertEquals(400, alice.post("/calls", Map.of("to", "+14155550163", "from", 15005550007L)).status());
        assertEquals(0, sim.tasks().size() - tasksBefore, "no task was created");
    }

    @Test
    void aColdTransferToANumberShowsTheChosenCallerId() {
        String customer = "+14155550164";
        String external = "+14155550998";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        sim.clearRequests();
        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("number", external), "from", CHOSEN));
        assertEquals(202, started.status(), started.body().toString());
        assertEquals(CHOSEN, callerIdDialling(participantCreated()));
        sim.answer(sim.ringing(external));
        assertEquals(CHOSEN, sim.liveCall(external).path("from").asText());
        assertEquals(Set.of(external), sim.hears(customer));
        hangUp(customer);
    }

    @Test
    void aWarmTransferToANumberShowsTheChosenCallerId() {
        String customer = "+14155550165";
        String external = "+14155550997";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        sim.clearRequests();
        Agent.Answer started = agent.post("/calls/" + call.task() + "/warm-transfer", Map.of("to", Map.of("number", external), "from", CHOSEN));
        assertEquals(201, started.status(), started.body().toString());
        assertEquals(CHOSEN, callerIdDialling(participantCreated()));
        sim.answer(sim.ringing(external));
        assertEquals(CHOSEN, sim.liveCall(external).path("from").asText());
        hangUp(customer);
    }

    @Test
    void aTransferWithARefusedCallerIdLeavesTheCustomerWithTheAgent() {
        String customer = "+14155550166";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        sim.clearRequests();
        for (String kind : new String[]{"cold-transfer", "warm-transfer"}) {
            Agent.Answer refused = agent.post("/calls/" + call.task() + "/" + kind, Map.of("to", Map.of("number", "+14155550996"), "from", FOREIGN));
            assertEquals(403, refused.status(), refused.body().toString());
            assertEquals("caller_id_not_allowed", refused.body().path("error").path("code").asText());
            Agent.Answer notANumber = agent.post("/calls/" + call.task() + "/" + kind, Map.of("to", Map.of("queue", "sales"), "from", CHOSEN));
            assertEquals(400, notANumber.status(), "a caller ID is for numbers only: " + notANumber.body());
        }
        assertTrue(functionRequests().stream().noneMatch(r -> r.path("method").asText().equals("POST")), "nothing was asked of Twilio");
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        assertFalse(sim.liveCall(customer).path("hold").asBoolean());
        assertNull(sim.liveCall("+14155550996"));
        hangUp(customer);
    }
}
