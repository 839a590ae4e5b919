package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * With the target's phone set to ring longer than TaskRouter waits for a reservation, the
 * reservation times out first: the warm transfer fails with reason {@code timeout} and the
 * customer is back with the agent.
 */
@CallCentreScenario.WithSettings("AGENT_RING_TIMEOUT=600")
class WarmTransferTimeoutScenarioTest extends CallCentreScenario {

    @Test
    void aReservationThatTimesOutFailsTheTransferAndTheCustomerIsBackWithTheAgent() {
        String customer = "+14155550175";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String path = "/calls/" + call.task() + "/warm-transfer";
        Agent.Answer started = agent.post(path, Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        assertEquals(201, started.status(), started.body().toString());
        String transferTask = started.body().path("taskSid").asText();
        sim.ringing("carol");
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));

        sim.advance(130);
        JsonNode view = agent.get(path).body();
        assertEquals("FAILED", view.path("state").asText(), view.toString());
        assertEquals("timeout", view.path("reason").asText());
        assertNull(sim.liveCall("carol"), "carol's phone stopped ringing");
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        assertEquals(Set.of(customer), sim.hears(call.agent()));
        assertEquals("canceled", task(transferTask).path("assignment_status").asText());
        hangUp(customer);
    }
}
