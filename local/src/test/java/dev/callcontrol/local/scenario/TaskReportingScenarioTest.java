package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reporting on the task: for every way a call ends, each of its TaskRouter tasks says in
 * {@code conversations.hang_up_by} how its segment ended (Flex Insights' Hang Up By), what a transfer
 * did with it ({@code followed_by}, {@code destination}), and in {@code call_control} who ended the
 * call and how each transfer came out.
 */
class TaskReportingScenarioTest extends CallCentreScenario {

    private static JsonNode attributes(String task) {
        return Json.parse(task(task).path("attributes").asText(), "attributes");
    }

    private static String hangUpBy(String task) {
        return attributes(task).path("conversations").path("hang_up_by").asText(null);
    }

    private static String endedBy(String task) {
        return attributes(task).path("call_control").path("ended_by").asText(null);
    }

    private static List<String> outcomes(String task) {
        List<String> out = new ArrayList<>();
        attributes(task).path("call_control").path("transfers").forEach(t -> out.add(t.path("kind").asText() + " " + t.path("target").asText()
                + " " + t.path("outcome").asText()));
        return out;
    }

    /** The task a transfer created for a worker (the newest task of the workspace requesting them). */
    private static String transferTaskFor(String workerSid) {
        String found = null;
        for (JsonNode task : sim.tasks()) {
            JsonNode attributes = Json.parse(task.path("attributes").asText(), "attributes");
            if (workerSid.equals(attributes.path("requested_agent").asText()) && attributes.has("transfer")) {
                found = task.path("sid").asText();
            }
        }
        if (found == null) {
            throw new AssertionError("no transfer task for " + workerSid);
        }
        return found;
    }

    @Test
    void theCustomerHangingUpIsReportedOnTheAgentsTask() {
        String customer = "+14155550301";
        Connected call = connect(customer);
        hangUp(customer);
        assertEquals("Customer", hangUpBy(call.task()));
        assertEquals("customer", endedBy(call.task()));
        assertEquals(List.of(), outcomes(call.task()));
    }

    @Test
    void theAgentHangingUpIsReportedOnTheAgentsTask() {
        String customer = "+14155550302";
        Connected call = connect(customer);
        hangUp(call.agent());
        assertTrue(sim.liveCall(customer) == null, "the last-agent rule ended the call");
        assertEquals("Agent", hangUpBy(call.task()));
        assertEquals("agent", endedBy(call.task()));
    }

    @Test
    void aHangUpThroughTheApiSaysWhoAskedForIt() {
        String customer = "+14155550303";
        Connected call = connect(customer);
        assertEquals(200, signIn(call.agent()).post("/calls/" + call.task() + "/hangup", Map.of()).status());
        assertEquals("Agent", hangUpBy(call.task()));
        assertEquals("agent", endedBy(call.task()));

        String second = "+14155550304";
        Connected other = connect(second);
        assertEquals(200, signIn("sam").post("/calls/" + other.task() + "/hangup", Map.of()).status());
        assertEquals("Supervisor", hangUpBy(other.task()));
        assertEquals("supervisor", endedBy(other.task()));
    }

    @Test
    void aColdTransferReportsTheHandOverOnTheFirstTaskAndTheEndOnTheTargets() {
        String customer = "+14155550305";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String target = call.other();
        String targetSid = target.equals("alice") ? DemoWorkspace.ALICE : DemoWorkspace.BOB;
        assertEquals(202, agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", targetSid))).status());
        // The first agent ends their wrap-up while the call goes on: the task completes with its segment's report.
        assertEquals(200, agent.post("/calls/" + call.task() + "/wrap-up", Map.of("disposition", "transferred")).status());
        assertEquals("completed", task(call.task()).path("assignment_status").asText());
        assertEquals("Cold Transfer", hangUpBy(call.task()));
        assertEquals("Transfer to Agent", attributes(call.task()).path("conversations").path("followed_by").asText());
        assertEquals(List.of("cold worker in_progress"), outcomes(call.task()));
        sim.answer(sim.ringing(target));
        String transferTask = transferTaskFor(targetSid);
        hangUp(customer);

        assertEquals("Cold Transfer", hangUpBy(call.task()));
        assertEquals("Customer", hangUpBy(transferTask));
        assertEquals("customer", endedBy(transferTask));
        assertEquals(List.of("cold worker completed"), outcomes(transferTask));
        if (reading("taskrouter.task.attributes-after-end").equals("accepted")) {
            assertEquals(List.of("cold worker completed"), outcomes(call.task()), "the call's end reaches the completed task too");
        }
    }

    @Test
    void aColdTransferToANumberReportsItsDestinationAndTheExternalPartyHangingUp() {
        String customer = "+14155550306";
        String external = "+14155550995";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        assertEquals(202, agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("number", external))).status());
        sim.answer(sim.ringing(external));
        hangUp(external);
        assertTrue(sim.liveCall(customer) == null, "the customer is not left alone");

        JsonNode conversations = attributes(call.task()).path("conversations");
        assertEquals("External Cold Transfer", conversations.path("hang_up_by").asText());
        assertEquals("External Transfer", conversations.path("followed_by").asText());
        assertEquals(external, conversations.path("destination").asText());
        assertEquals("external_party", endedBy(call.task()));
        assertEquals(List.of("cold number completed"), outcomes(call.task()));
    }

    @Test
    void aCompletedWarmTransferAndAConsultThatWasCanceledAreReported() {
        String customer = "+14155550307";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String path = "/calls/" + call.task() + "/warm-transfer";

        // A consult with carol, called off: her segment ended as a consult.
        assertEquals(201, agent.post(path, Map.of("to", Map.of("worker", DemoWorkspace.CAROL))).status());
        sim.answer(sim.ringing("carol"));
        String consulted = transferTaskFor(DemoWorkspace.CAROL);
        assertEquals(200, agent.post(path + "/cancel", Map.of()).status());

        // A warm transfer to the other agent, completed: the first agent's segment ended by it.
        String other = call.other();
        String otherSid = other.equals("alice") ? DemoWorkspace.ALICE : DemoWorkspace.BOB;
        sim.advance(5);
        assertEquals(201, agent.post(path, Map.of("to", Map.of("worker", otherSid))).status());
        sim.answer(sim.ringing(other));
        assertEquals(200, agent.post(path + "/complete", Map.of()).status());
        String target = transferTaskFor(otherSid);
        hangUp(other);
        assertTrue(sim.liveCall(customer) == null, "the last agent left; the call ended");

        assertEquals("Warm Transfer", hangUpBy(call.task()));
        assertEquals("Transfer to Agent", attributes(call.task()).path("conversations").path("followed_by").asText());
        assertEquals("Agent", hangUpBy(target));
        assertEquals("transfer_target", endedBy(target));
        assertEquals("wrapping", task(consulted).path("assignment_status").asText(), "carol's consult is in her wrap-up");
        assertEquals("Consult", hangUpBy(consulted));
        assertEquals(List.of("warm worker canceled_by_agent", "warm worker completed"), outcomes(target));
    }

    @Test
    void aCustomerWhoHangsUpWhileTheTransferIsRoutedIsReportedOnTheTransferTask() {
        String customer = "+14155550308";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        assertEquals(202, agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL))).status());
        String transferTask = transferTaskFor(DemoWorkspace.CAROL);
        hangUp(customer);
        assertEquals("canceled", task(transferTask).path("assignment_status").asText());
        assertEquals("Customer", hangUpBy(transferTask), "written before the task was canceled");
        assertEquals(List.of("cold worker customer_hung_up"), outcomes(transferTask));
        assertEquals("Cold Transfer", hangUpBy(call.task()));
        hangUp("carol");
    }

    @Test
    void aCallerWhoHangsUpInTheQueueIsReportedAsAnAbandon() {
        // Both support agents busy: the caller waits in the queue, then gives up.
        String first = "+14155550309";
        String second = "+14155550310";
        Connected one = connect(first);
        sim.dial(second, DemoWorkspace.PHONE_NUMBER);
        sim.answer(sim.ringing(one.other()));
        String secondTask = sim.liveCall(second).path("conference").asText();
        String waiting = "+14155550311";
        sim.dial(waiting, DemoWorkspace.PHONE_NUMBER);
        String task = sim.liveCall(waiting).path("queuedTask").asText();
        hangUp(waiting);
        assertEquals("canceled", task(task).path("assignment_status").asText());
        if (reading("taskrouter.task.attributes-after-end").equals("accepted")) {
            assertEquals("Customer", hangUpBy(task));
            assertTrue(attributes(task).path("call_control").path("abandoned").asBoolean());
        } else {
            assertFalse(attributes(task).has("call_control"), "a canceled task takes no attributes under this reading");
        }
        hangUp(first);
        hangUp(second);
        assertEquals("Customer", hangUpBy(one.task()));
        assertEquals("Customer", hangUpBy(secondTask));
    }
}
