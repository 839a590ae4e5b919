package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.Agent;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After-contact work: the agent ends their wrap-up with a disposition, or {@code WRAP_UP_SECONDS}
 * ends it for them; either way TaskRouter's task is completed with the disposition in its attributes.
 */
@CallCentreScenario.WithSettings({"WRAP_UP_SECONDS=120", "WRAP_UP_DISPOSITIONS=resolved,callback,escalated"})
class WrapUpScenarioTest extends CallCentreScenario {

    private static JsonNode wrapUpOf(String task) {
        return Json.parse(task(task).path("attributes").asText(), "attributes").path("wrap_up");
    }

    @Test
    void theAgentEndsTheirWrapUpWithADisposition() {
        String customer = "+14155550201";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        assertEquals(409, agent.post("/calls/" + call.task() + "/wrap-up", Map.of("disposition", "resolved")).status(),
                "no wrap-up while the call goes on");
        hangUp(customer);
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText());

        Agent.Answer refused = agent.post("/calls/" + call.task() + "/wrap-up", Map.of("disposition", "sold"));
        assertEquals(400, refused.status(), refused.body().toString());
        assertEquals(403, signIn(call.other()).post("/calls/" + call.task() + "/wrap-up", Map.of("disposition", "resolved")).status(),
                "another agent has nothing to wrap up here");
        Agent.Answer done = agent.post("/calls/" + call.task() + "/wrap-up", Map.of("disposition", "callback", "notes", "Wants a call on Monday"));
        assertEquals(200, done.status(), done.body().toString());
        assertEquals("completed", task(call.task()).path("assignment_status").asText());
        assertEquals("callback", wrapUpOf(call.task()).path("disposition").asText());
        assertEquals("Wants a call on Monday", wrapUpOf(call.task()).path("notes").asText());
        assertTrue(done.body().path("audit").toString().contains("wrap_up"), done.body().toString());
    }

    @Test
    void aWrapUpTheAgentNeverEndsIsEndedByTheTimer() {
        String customer = "+14155550202";
        Connected call = connect(customer);
        hangUp(customer);
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText());
        sim.advance(60);
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText(), "within WRAP_UP_SECONDS the agent may take their time");
        sim.advance(60 + 2 * 60);
        assertEquals("completed", task(call.task()).path("assignment_status").asText(), "completed within two reconciler periods of the limit");
        assertEquals("timed_out", wrapUpOf(call.task()).path("disposition").asText());
        JsonNode view = signIn("sam").get("/calls/" + call.task()).body();
        assertTrue(view.path("audit").toString().contains("wrap_up_timed_out"), view.toString());
    }
}
