package dev.callcontrol.local.scenario;

import dev.callcontrol.local.Agent;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A supervisor monitors, whispers to the agent and barges in, proven by who hears whom after every step. */
class SupervisorScenarioTest extends CallCentreScenario {

    @Test
    void monitorThenWhisperThenBargeThenLeave() {
        String customer = "+14155550131";
        Connected call = connect(customer);
        String agent = call.agent();
        Agent sam = signIn("sam");
        String path = "/calls/" + call.task() + "/supervisor";

        sim.clearRequests();
        Agent.Answer joining = sam.post(path, Map.of("mode", "monitor"));
        assertEquals(200, joining.status(), joining.body().toString());
        assertEquals("dialing", joining.body().path("supervisor").path("state").asText());
        assertEquals(1, posts(), "joining a supervisor is one request: the call to their phone");
        assertEquals(Set.of(agent), sim.hears(customer), "nothing changes while the supervisor's phone rings");

        sim.answer(sim.ringing("sam"));
        // Monitor: hears both, heard by nobody.
        assertEquals(Set.of(customer, agent), sim.hears("sam"));
        assertEquals(Set.of(agent), sim.hears(customer));
        assertEquals(Set.of(customer), sim.hears(agent));
        JsonNode view = sam.get("/calls/" + call.task()).body();
        assertEquals("joined", view.path("supervisor").path("state").asText(), view.toString());
        assertEquals("monitor", view.path("supervisor").path("mode").asText());

        // Whisper: only the agent hears the supervisor.
        sim.clearRequests();
        assertEquals(200, sam.post(path, Map.of("mode", "whisper")).status());
        assertEquals(1, posts(), "a mode switch is one participant update");
        assertEquals(Set.of(customer, "sam"), sim.hears(agent));
        assertEquals(Set.of(agent), sim.hears(customer));
        assertEquals(Set.of(customer, agent), sim.hears("sam"));

        // Barge: everyone hears everyone.
        assertEquals(200, sam.post(path, Map.of("mode", "barge")).status());
        assertEquals(Set.of(agent, "sam"), sim.hears(customer));
        assertEquals(Set.of(customer, "sam"), sim.hears(agent));
        assertEquals(Set.of(customer, agent), sim.hears("sam"));

        // Back to monitor, then leave: nothing changes for the others.
        assertEquals(200, sam.post(path, Map.of("mode", "monitor")).status());
        assertEquals(Set.of(agent), sim.hears(customer));
        Agent.Answer left = sam.delete(path);
        assertEquals(200, left.status(), left.body().toString());
        assertNull(sim.liveCall("sam"));
        assertEquals(Set.of(agent), sim.hears(customer));
        assertEquals(Set.of(customer), sim.hears(agent));
        assertEquals(true, sam.get("/calls/" + call.task()).body().path("supervisor").isMissingNode());
        hangUp(customer);
    }

    @Test
    void whisperFromTheStartCoachesTheAgentAndTheSupervisorHangingUpChangesNothing() {
        String customer = "+14155550132";
        Connected call = connect(customer);
        Agent sam = signIn("sam");
        assertEquals(200, sam.post("/calls/" + call.task() + "/supervisor", Map.of("mode", "whisper")).status());
        sim.answer(sim.ringing("sam"));
        assertEquals(Set.of(customer, "sam"), sim.hears(call.agent()));
        assertEquals(Set.of(call.agent()), sim.hears(customer));

        hangUp("sam");
        assertEquals(Set.of(customer), sim.hears(call.agent()));
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        assertEquals(true, sam.get("/calls/" + call.task()).body().path("supervisor").isMissingNode());
        hangUp(customer);
    }

    @Test
    void aSupervisorWhoDoesNotAnswerIsForgotten() {
        String customer = "+14155550133";
        Connected call = connect(customer);
        Agent sam = signIn("sam");
        assertEquals(200, sam.post("/calls/" + call.task() + "/supervisor", Map.of("mode", "monitor")).status());
        sim.decline(sim.ringing("sam"));
        assertEquals(true, sam.get("/calls/" + call.task()).body().path("supervisor").isMissingNode());
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        assertEquals(200, sam.post("/calls/" + call.task() + "/supervisor", Map.of("mode", "barge")).status(), "they can try again");
        sim.answer(sim.ringing("sam"));
        assertEquals(Set.of(call.agent(), "sam"), sim.hears(customer));
        hangUp(customer);
        assertNull(sim.liveCall("sam"), "the conference's end took the supervisor with it");
    }

    @Test
    void onlySupervisorsSupervise() {
        String customer = "+14155550134";
        Connected call = connect(customer);
        String path = "/calls/" + call.task() + "/supervisor";
        Agent agent = signIn(call.agent());
        assertEquals(401, Agent.anonymous(runtime.baseUrl()).post(path, Map.of("mode", "monitor")).status());
        Agent.Answer refused = agent.post(path, Map.of("mode", "monitor"));
        assertEquals(403, refused.status());
        assertEquals("not_allowed", refused.body().path("error").path("code").asText());
        assertEquals(403, agent.delete(path).status());
        assertEquals(400, signIn("sam").post(path, Map.of("mode", "shout")).status());
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        hangUp(customer);
        assertEquals(409, signIn("sam").post(path, Map.of("mode", "monitor")).status(), "the call has ended");
    }

    @Test
    void hangupEndsTheCallForEveryoneAndWrapsTheTask() {
        String customer = "+14155550135";
        Connected call = connect(customer);
        String path = "/calls/" + call.task() + "/hangup";
        assertEquals(403, signIn(call.other()).post(path, Map.of()).status(), "another agent may not hang up this call");
        sim.clearRequests();
        Agent.Answer ended = signIn(call.agent()).post(path, Map.of());
        assertEquals(200, ended.status(), ended.body().toString());
        assertEquals(1, posts() - reportWrites(), "hanging up is one request: the conference ends");
        assertEquals(1, reportWrites(), "the conference's end then writes the task's report (who hung up)");
        assertNull(sim.liveCall(customer));
        assertNull(sim.liveCall(call.agent()));
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText());
        assertEquals(409, signIn(call.agent()).post(path, Map.of()).status(), "an ended call cannot end again");
    }

    @Test
    void aSupervisorMayHangUpAnyCall() {
        String customer = "+14155550136";
        Connected call = connect(customer);
        assertEquals(200, signIn("sam").post("/calls/" + call.task() + "/hangup", Map.of()).status());
        assertNull(sim.liveCall(customer));
        assertNull(sim.liveCall(call.agent()));
    }

    @Test
    void theLastAgentHangingUpEndsTheCallEvenWithASupervisorListening() {
        String customer = "+14155550137";
        Connected call = connect(customer);
        Agent sam = signIn("sam");
        assertEquals(200, sam.post("/calls/" + call.task() + "/supervisor", Map.of("mode", "monitor")).status());
        sim.answer(sim.ringing("sam"));
        hangUp(call.agent());
        assertNull(sim.liveCall(customer), "the customer is not left in the conference with a silent supervisor");
        assertNull(sim.liveCall("sam"));
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText());
    }

    /** Twilio requests that changed something (GETs read a worker or a task). */
    private static long posts() {
        return functionRequests().stream().filter(r -> !r.path("method").asText().equals("GET")).count();
    }

    /** Task updates that only add to the task's attributes: the reports the call's end writes (CallReports). */
    private static long reportWrites() {
        return sim.requests().stream().filter(r -> r.path("method").asText().equals("POST") && r.path("path").asText().matches(".*/Tasks/WT[0-9a-fA-F]{32}$")
                && r.path("parameters").has("Attributes") && !r.path("parameters").has("AssignmentStatus")).count();
    }
}
