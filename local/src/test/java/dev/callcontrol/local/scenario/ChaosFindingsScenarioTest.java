package dev.callcontrol.local.scenario;

import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the chaos test ({@link ChaosPropertyTest}) found, each as the focused scenario that failed
 * before the fix.
 */
class ChaosFindingsScenarioTest extends CallCentreScenario {

    /**
     * Found as {@code INBOUND [BARGE, TWILIO_LOST_CONNECTION, TARGET_HANGS_UP, COLD_TO_QUEUE, RESUME, ...]}:
     * the agent who cold-transferred pressed resume before their {@code participant-leave} reached
     * the product, which still counted them as connected and took the customer off hold into a
     * conference with nobody in it; the customer was left in silence. Here the conference's events are
     * lost until then, so the record still counts the agent.
     */
    @Test
    void aResumeDuringAColdTransferLeavesTheCustomerOnHoldMusic() {
        String customer = "+14155550191";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        sim.addFault(Map.of("webhook", "^/twilio/conference-events$", "nth", 1, "times", 20, "drop", true));
        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        assertEquals(202, started.status(), started.body().toString());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));

        Agent.Answer resumed = agent.post("/calls/" + call.task() + "/hold", Map.of("hold", false));
        sim.clearFaults();
        assertEquals(409, resumed.status(), resumed.body().toString());
        assertEquals("transfer_in_progress", resumed.body().path("error").path("code").asText(), resumed.body().toString());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer), "the customer waits on hold music for the transfer's target");
        assertEquals(0, resumes(sim.liveCall(customer).path("callSid").asText()), "nothing was sent to Twilio");

        sim.answer(sim.ringing("carol"));
        assertEquals(Set.of("carol"), sim.hears(customer));
        Agent.Answer held = signIn("carol").post("/calls/" + call.task() + "/hold", Map.of("hold", true));
        assertEquals(200, held.status(), "the target, once connected, holds as any agent: " + held.body());
        hangUp(customer);
        assertEquals(DemoWorkspace.CAROL, signIn("sam").get("/calls/" + call.task()).body().path("agent").path("workerSid").asText());
    }
}
