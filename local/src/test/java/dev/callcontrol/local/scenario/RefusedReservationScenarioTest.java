package dev.callcontrol.local.scenario;

import com.twilio.rest.taskrouter.v1.workspace.Task;
import com.twilio.rest.taskrouter.v1.workspace.Worker;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A reservation the product will not take costs no agent: it is never left to time out onto the
 * worker (there is no fallback URL to catch a refusal). A task nobody can take is canceled; a worker
 * who cannot be rung is passed over at once and not offered the task again.
 */
class RefusedReservationScenarioTest extends CallCentreScenario {
    private static final String ALICE_ATTRIBUTES = "{\"contact_uri\":\"client:alice\",\"auth_sub\":\"local-user-alice\",\"full_name\":\"Alice Agent\",\"skills\":[\"support\"],\"roles\":[\"agent\"]}";

    @Test
    void anOutboundTaskToANumberOutsideTheAllowedPrefixesIsCanceledAndItsAgentStaysAvailable() {
        Task task = Task.creator(DemoWorkspace.WORKSPACE_SID)
                .setWorkflowSid(DemoWorkspace.WORKFLOW_SID)
                .setAttributes(Json.write(Map.of("outbound_to", "+442071838750", "requested_agent", DemoWorkspace.ALICE, "route", "agent")))
                .create(twilio);
        sim.advance(1);

        assertEquals("canceled", task(task.getSid()).path("assignment_status").asText(), "no worker can take it, so nobody else is offered it");
        assertNull(sim.liveCall("alice"), "the agent's phone never rang");
        assertNull(sim.liveCall("+442071838750"), "nothing was dialled");
        assertEquals(DemoWorkspace.AVAILABLE, activityOf(DemoWorkspace.ALICE), "the agent was not timed out");
    }

    @Test
    void aWorkerWhoCannotBeRungIsPassedOverAtOnceAndTheCustomerGoesToTheNextAgent() {
        String customer = "+14155550171";
        Worker.updater(DemoWorkspace.WORKSPACE_SID, DemoWorkspace.ALICE).setAttributes("{\"full_name\":\"Alice Agent\",\"skills\":[\"support\"],\"roles\":[\"agent\"]}").update(twilio);
        try {
            sim.setActivity(DemoWorkspace.BOB, DemoWorkspace.OFFLINE);
            sim.dial(customer, DemoWorkspace.PHONE_NUMBER);

            assertEquals(DemoWorkspace.UNAVAILABLE, activityOf(DemoWorkspace.ALICE), "alice has no contact_uri: rejected into the timeout activity without waiting for the timeout");
            String task = sim.tasks().get(sim.tasks().size() - 1).path("sid").asText();
            assertEquals("pending", task(task).path("assignment_status").asText(), "the customer still waits in the queue for an agent");
            assertNull(sim.liveCall("alice"));

            sim.setActivity(DemoWorkspace.BOB, DemoWorkspace.AVAILABLE);
            sim.answer(sim.ringing("bob"));
            assertEquals(Set.of("bob"), sim.hears(customer), "the next agent takes the customer");
            hangUp(customer);
        } finally {
            Worker.updater(DemoWorkspace.WORKSPACE_SID, DemoWorkspace.ALICE).setAttributes(ALICE_ATTRIBUTES).update(twilio);
        }
    }

    private static String activityOf(String worker) {
        return Worker.fetcher(DemoWorkspace.WORKSPACE_SID, worker).fetch(twilio).getActivitySid();
    }
}
