package dev.callcontrol.local.scenario;

import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pre-call whisper: the agent hears who is calling before being connected; the caller never
 * hears it and hears the queue's music, not silence, until the agent is there.
 */
@CallCentreScenario.WithSettings("AGENT_WHISPER=true")
class AgentWhisperScenarioTest extends CallCentreScenario {
    private static final String QUEUE_MUSIC = "music:http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical";

    @Test
    void theAgentHearsTheSummaryFirstAndTheCallerHearsMusicUntilTheAgentIsConnected() {
        String customer = "+14155550151";
        sim.dial(customer, DemoWorkspace.PHONE_NUMBER);
        assertEquals(Set.of(QUEUE_MUSIC), sim.hears(customer));
        String agent = sim.liveCall("alice") != null ? "alice" : "bob";
        assertEquals(Set.of(QUEUE_MUSIC), sim.hears(customer), "music while the agent's phone rings");

        sim.answer(sim.ringing(agent));
        Set<String> whisper = sim.hears(agent);
        assertEquals(1, whisper.size(), whisper.toString());
        String words = whisper.iterator().next();
        assertTrue(words.startsWith("say:Call from 1 4 1 5 5 5 5 0 1 5 1. Queue support. Waited "), words);
        assertEquals(Set.of(QUEUE_MUSIC), sim.hears(customer), "the caller never hears the whisper");

        sim.advance(15);
        assertEquals(Set.of(agent), sim.hears(customer), "connected once the whisper is over");
        assertEquals(Set.of(customer), sim.hears(agent));
        String task = sim.liveCall(customer).path("conference").asText();
        assertEquals("assigned", task(task).path("assignment_status").asText());

        // The call behaves like any other: hold and hang-up, and the agent's task moves to wrap-up.
        Agent connected = signIn(agent);
        assertEquals(200, connected.post("/calls/" + task + "/hold", Map.of("hold", true)).status());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertEquals(200, connected.post("/calls/" + task + "/hold", Map.of("hold", false)).status());
        assertEquals(Set.of(agent), sim.hears(customer));
        hangUp(customer);
        assertNull(sim.liveCall(agent));
        assertEquals("wrapping", task(task).path("assignment_status").asText());
    }

    @Test
    void theAgentHangingUpAfterTheWhisperEndsTheCallAndWrapsTheirTask() {
        String customer = "+14155550152";
        sim.dial(customer, DemoWorkspace.PHONE_NUMBER);
        String agent = sim.liveCall("alice") != null ? "alice" : "bob";
        sim.answer(sim.ringing(agent));
        sim.advance(15);
        assertEquals(Set.of(agent), sim.hears(customer));
        String task = sim.liveCall(customer).path("conference").asText();
        hangUp(agent);
        assertNull(sim.liveCall(customer), "the last agent leaving ended the conference");
        assertEquals("wrapping", task(task).path("assignment_status").asText());
    }
}
