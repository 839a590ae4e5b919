package dev.callcontrol.local.scenario;

import dev.callcontrol.local.Agent;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A user who can edit their own worker attribute at the identity provider cannot act as another
 * agent when the worker is bound to the user where agents cannot reach ({@code AUTH_WORKER_BINDING=worker-attribute}:
 * the worker's TaskRouter attribute {@code auth_sub} must be the token's {@code sub}).
 */
@CallCentreScenario.WithSettings({"AUTH_WORKER_BINDING=worker-attribute"})
class WorkerIdentityScenarioTest extends CallCentreScenario {

    /** A JWT's worker claim is what a user might edit; a Flex token names the worker Twilio's IAM has for its user. */
    @org.junit.jupiter.api.BeforeAll
    static void onlyWithJwts() {
        org.junit.jupiter.api.Assumptions.assumeFalse("flex".equals(System.getProperty("local.agentAuth")),
                "with Flex tokens no user can change the worker a token names");
    }

    @Test
    void aTokenWhoseWorkerClaimItsUserChangedIsRefused() {
        String customer = "+14155550191";
        Connected call = connect(customer);
        // The other agent edits their worker attribute to the connected agent's SID and signs in again.
        Agent impostor = Agent.signInClaiming(runtime.baseUrl(), call.other(), WORKERS.get(call.agent()));
        Agent.Answer refused = impostor.post("/calls/" + call.task() + "/hold", Map.of("hold", true));
        assertEquals(403, refused.status(), refused.body().toString());
        assertEquals("worker_not_bound", refused.body().path("error").path("code").asText(), refused.body().toString());
        assertEquals(Set.of(call.agent()), sim.hears(customer), "nothing reached the call");
        assertEquals(403, impostor.get("/calls/" + call.task()).status(), "nor may it read the call");

        Agent agent = signIn(call.agent());
        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", true)).status(), "the bound agent acts as before");
        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", false)).status());
        hangUp(customer);
    }

    @Test
    void aSupervisorsEditedClaimIsRefusedToo() {
        Agent impostor = Agent.signInClaiming(runtime.baseUrl(), "carol", WORKERS.get("sam"));
        Agent.Answer refused = impostor.get("/calls/WT0123456789abcdef0123456789abcdef");
        assertEquals(403, refused.status(), refused.body().toString());
        assertEquals("worker_not_bound", refused.body().path("error").path("code").asText());
    }
}
