package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.local.Agent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Twilio ends a leg to a number once its {@code TimeLimit} has passed (issue 19, finding 5; rule
 * {@code voice.call.time-limit}, under both readings of when the count starts): the product sends
 * {@code EXTERNAL_CALL_TIME_LIMIT_SECONDS} on every such leg, and when Twilio cuts it the customer
 * is not stranded: after a cold transfer their call ends with it rather than staying alone in the
 * conference, and during a warm transfer's consultation they are taken off hold, back with the agent.
 */
@CallCentreScenario.WithSettings({"EXTERNAL_CALL_TIME_LIMIT_SECONDS=60"})
class ExternalLegTimeLimitScenarioTest extends CallCentreScenario {

    @Test
    void aNumberTakingAColdTransferIsCutAtTheLimitAndTheCustomerIsNotLeftAloneInTheConference() {
        String customer = "+14155550611";
        String external = "+14155550612";
        Connected call = connect(customer);
        sim.clearRequests();
        Agent.Answer started = signIn(call.agent()).post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("number", external)));
        assertEquals(202, started.status(), started.body().toString());
        assertEquals("60", addedParticipant().path("parameters").path("TimeLimit").path(0).asText(), "the leg carries the limit");
        sim.answer(sim.ringing(external));
        assertEquals(Set.of(external), sim.hears(customer));

        sim.advance(50);
        assertEquals(Set.of(external), sim.hears(customer), "still talking before the limit");
        sim.advance(11);
        assertNull(sim.liveCall(external), "Twilio cut the external leg at its limit");
        assertNull(sim.liveCall(customer), "the customer's call ended with it: nobody is left alone in a silent conference");
        assertEquals("ended", signIn("sam").get("/calls/" + call.task()).body().path("status").asText());
    }

    @Test
    void aNumberCutWhileTheAgentConsultsItPutsTheCustomerBackWithTheAgent() {
        String customer = "+14155550613";
        String external = "+14155550614";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String path = "/calls/" + call.task() + "/warm-transfer";
        String customerLeg = sim.liveCall(customer).path("callSid").asText();
        sim.clearRequests();
        Agent.Answer started = agent.post(path, Map.of("to", Map.of("number", external)));
        assertEquals(201, started.status(), started.body().toString());
        assertEquals("60", addedParticipant().path("parameters").path("TimeLimit").path(0).asText(), "the leg carries the limit");
        sim.answer(sim.ringing(external));
        assertEquals(Set.of(external), sim.hears(call.agent()), "the agent consults the number");
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));

        sim.advance(61);
        assertNull(sim.liveCall(external), "Twilio cut the external leg at its limit");
        assertEquals(Set.of(call.agent()), sim.hears(customer), "the customer is back with the agent, not left on hold");
        assertEquals(1, resumes(customerLeg), "taken off hold once");
        JsonNode view = agent.get(path).body();
        assertEquals("FAILED", view.path("state").asText(), view.toString());
        hangUp(customer);
    }

    private static JsonNode addedParticipant() {
        List<JsonNode> added = requests("POST", ".*/Conferences/CF[0-9a-f]{32}/Participants\\.json");
        assertEquals(1, added.size(), added.toString());
        return added.get(0);
    }
}
