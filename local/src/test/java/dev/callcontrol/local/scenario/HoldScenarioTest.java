package dev.callcontrol.local.scenario;

import dev.callcontrol.local.Agent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hold and resume through the agent API, proven by what each person hears. */
class HoldScenarioTest extends CallCentreScenario {

    @Test
    void holdPlaysMusicToTheCustomerAndResumeReconnectsThem() {
        String customer = "+14155550111";
        Connected connected = connect(customer);
        String task = connected.task();
        Agent alice = Agent.signIn(runtime.baseUrl(), connected.agent());

        Agent.Answer held = alice.post("/calls/" + task + "/hold", Map.of("hold", true));
        assertEquals(200, held.status(), held.body().toString());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertEquals(Set.of("silence"), sim.hears(connected.agent()));
        assertTrue(alice.get("/calls/" + task).body().path("hold").asBoolean());

        sim.clearRequests();
        Agent.Answer again = alice.post("/calls/" + task + "/hold", Map.of("hold", true));
        assertEquals(200, again.status(), "holding twice is not an error");
        assertEquals(1, participantUpdates(), "a second hold is sent again: the record may lag behind what Twilio did");
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));

        Agent.Answer resumed = alice.post("/calls/" + task + "/hold", Map.of("hold", false));
        assertEquals(200, resumed.status(), resumed.body().toString());
        assertEquals(Set.of(connected.agent()), sim.hears(customer));
        assertEquals(Set.of(customer), sim.hears(connected.agent()));
        JsonNode call = alice.get("/calls/" + task).body();
        assertEquals(false, call.path("hold").asBoolean());
        assertEquals(connected.agent().equals("alice") ? DemoWorkspace.ALICE : DemoWorkspace.BOB, call.path("agent").path("workerSid").asText());
        assertEquals("customer", call.path("customer").path("role").asText());
        sim.hangup(sim.liveCall(customer).path("callSid").asText());
    }

    @Test
    void holdIsOneTwilioRequest() {
        String customer = "+14155550112";
        Connected connected = connect(customer);
        String task = connected.task();
        Agent alice = Agent.signIn(runtime.baseUrl(), connected.agent());
        sim.clearRequests();
        assertEquals(200, alice.post("/calls/" + task + "/hold", Map.of("hold", true)).status());
        assertEquals(1, functionRequests().size(), "REST requests for a hold: " + functionRequests());
        sim.hangup(sim.liveCall(customer).path("callSid").asText());
    }

    @Test
    void onlyTheConnectedAgentMayHold() {
        String customer = "+14155550113";
        Connected connected = connect(customer);
        String task = connected.task();
        Agent bob = Agent.signIn(runtime.baseUrl(), connected.other());
        Agent sam = Agent.signIn(runtime.baseUrl(), "sam");

        assertEquals(401, Agent.anonymous(runtime.baseUrl()).post("/calls/" + task + "/hold", Map.of("hold", true)).status());
        Agent.Answer other = bob.post("/calls/" + task + "/hold", Map.of("hold", true));
        assertEquals(403, other.status());
        assertEquals("not_allowed", other.body().path("error").path("code").asText());
        assertEquals(403, bob.get("/calls/" + task).status(), "another agent may not read the call");
        assertEquals(200, sam.get("/calls/" + task).status(), "a supervisor may read any call");
        assertEquals(Set.of(connected.agent()), sim.hears(customer), "nothing changed");
        sim.hangup(sim.liveCall(customer).path("callSid").asText());
    }

    @Test
    void badRequestsGetClearErrors() {
        Agent someone = Agent.signIn(runtime.baseUrl(), "alice");
        assertEquals(400, someone.post("/calls/not-a-task/hold", Map.of("hold", true)).status());
        assertEquals(404, someone.post("/calls/WT0123456789abcdef0123456789abcdef/hold", Map.of("hold", true)).status());
        assertEquals(404, someone.get("/calls/WT0123456789abcdef0123456789abcdef").status());
        String customer = "+14155550114";
        Connected connected = connect(customer);
        String task = connected.task();
        Agent alice = Agent.signIn(runtime.baseUrl(), connected.agent());
        Agent.Answer invalid = alice.post("/calls/" + task + "/hold", Map.of("hold", "yes"));
        assertEquals(400, invalid.status());
        assertEquals("bad_request", invalid.body().path("error").path("code").asText());
        sim.hangup(sim.liveCall(customer).path("callSid").asText());
        Agent.Answer ended = alice.post("/calls/" + task + "/hold", Map.of("hold", true));
        assertEquals(409, ended.status(), ended.body().toString());
        assertEquals("call_ended", ended.body().path("error").path("code").asText());
    }

    private static long participantUpdates() {
        return sim.requests().stream().filter(r -> r.path("method").asText().equals("POST") && r.path("path").asText().contains("/Participants/")).count();
    }
}
