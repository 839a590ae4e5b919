package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.local.Agent;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code LOCAL_AGENT_AUTH=flex} (issue 21, item 5): the agent API behind the Flex token authorizer,
 * tokens minted by {@code POST /dev/flex-token} and validated by the simulator's Twilio IAM.
 */
@CallCentreScenario.WithSettings({"LOCAL_AGENT_AUTH=flex"})
class FlexAuthScenarioTest extends CallCentreScenario {

    private static String flexToken(Map<String, Object> request) {
        Agent.Answer answer = Agent.anonymous(runtime.baseUrl()).post("/dev/flex-token", request);
        assertEquals(200, answer.status(), answer.body().toString());
        return answer.body().path("token").asText();
    }

    private static Agent flex(String worker) {
        return Agent.signIn(runtime.baseUrl(), worker, true);
    }

    private static List<JsonNode> validations() {
        return sim.requests().stream().filter(r -> r.path("path").asText().endsWith("/Tokens/validate")).toList();
    }

    @Test
    void anAgentWithAFlexTokenHoldsTheirCallAndOnlyTheirs() {
        String customer = "+14155550611";
        Connected call = connect(customer);
        String path = "/calls/" + call.task();
        Agent agent = flex(call.agent());
        assertEquals(200, agent.get(path).status(), "the connected agent reads their call");
        Agent.Answer held = agent.post(path + "/hold", Map.of("hold", true));
        assertEquals(200, held.status(), held.body().toString());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertEquals(200, agent.post(path + "/hold", Map.of("hold", false)).status());
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        Agent.Answer other = flex(call.other()).get(path);
        assertEquals(403, other.status(), "another agent may not read it: " + other.body());
        assertEquals(200, flex("sam").get(path).status(), "sam's token has the supervisor role");
        Agent admin = Agent.withToken(runtime.baseUrl(), flexToken(Map.of("worker", call.other(), "roles", List.of("agent", "admin"))));
        assertEquals(200, admin.get(path).status(), "admin counts as supervisor");
        assertEquals(200, agent.post(path + "/hangup", Map.of()).status());
        resetCallCentre(sim, twilio);
    }

    @Test
    void guestWorkerlessForgedAndMissingTokensAreRefusedBeforeAnyFunctionRuns() {
        String path = "/calls/WT0123456789abcdef0123456789abcdef";
        Map<String, Object> guest = new HashMap<>();
        guest.put("worker", null);
        guest.put("roles", List.of("guest"));
        assertEquals(403, Agent.withToken(runtime.baseUrl(), flexToken(guest)).get(path).status(), "a guest");
        assertEquals(403, Agent.withToken(runtime.baseUrl(), flexToken(Map.of("worker", "alice", "roles", List.of("agent", "guest")))).get(path).status(),
                "a guest role, whoever the worker");
        Map<String, Object> workerless = new HashMap<>();
        workerless.put("worker", null);
        workerless.put("roles", List.of("admin"));
        assertEquals(403, Agent.withToken(runtime.baseUrl(), flexToken(workerless)).get(path).status(), "an admin with no worker");
        assertEquals(403, Agent.withToken(runtime.baseUrl(), "flex-sim.made-up").get(path).status(), "a token IAM never issued");
        String jwt = Agent.anonymous(runtime.baseUrl()).post("/dev/token", Map.of("worker", "alice")).body().path("token").asText();
        assertEquals(403, Agent.withToken(runtime.baseUrl(), jwt).get(path).status(), "a JWT of the local identity provider is no Flex token");
        Agent.Answer none = Agent.anonymous(runtime.baseUrl()).get(path);
        assertEquals(401, none.status(), "no Authorization header");
    }

    @Test
    void aCachedAnswerNeverOutlivesTheTokenAndIamIsAskedOncePerTokenWithinTheCache() {
        String customer = "+14155550612";
        Connected call = connect(customer);
        String path = "/calls/" + call.task();
        Agent agent = Agent.withToken(runtime.baseUrl(), flexToken(Map.of("worker", call.agent(), "ttlSeconds", 60)));
        sim.clearRequests();
        assertEquals(200, agent.get(path).status());
        assertEquals(200, agent.get(path).status());
        assertEquals(1, validations().size(), "the second request is answered from the authorizer's cache");
        JsonNode validation = validations().get(0);
        assertEquals("iam.twilio.com", validation.path("host").asText());
        assertEquals("POST", validation.path("method").asText());
        sim.advance(61);
        // Within the cache's 300 s, past the token's 60: the function refuses the cached context.
        Agent.Answer expired = agent.get(path);
        assertEquals(401, expired.status(), expired.body().toString());
        assertEquals("token_expired", expired.body().path("error").path("code").asText());
        assertEquals(1, validations().size(), "still from the cache");
        assertEquals(200, flex(call.agent()).get(path).status(), "a fresh token works");
        assertEquals(200, flex(call.agent()).post(path + "/hangup", Map.of()).status());
        resetCallCentre(sim, twilio);
    }
}
