package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An agent's hold meets DynamoDB faults, armed through {@code POST /dev/faults/dynamodb}: a read
 * that keeps failing refuses the hold before anything reaches Twilio, and a throttled write is
 * absorbed by the SDK's retry. Either way the customer is where the agent's answer says.
 */
class DynamoDbFaultScenarioTest extends CallCentreScenario {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void leaveTheCallCentreEmpty() throws Exception {
        faults("DELETE", null);
        resetCallCentre(sim, twilio);
        sim.clearAlerts();
    }

    private static JsonNode faults(String method, Map<String, Object> rule) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(runtime.baseUrl() + "/dev/faults/dynamodb"))
                .method(method, rule == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(Json.write(rule)))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() == 200 || response.statusCode() == 201, response.body());
        return Json.parse(response.body(), "the fault control's answer");
    }

    private static JsonNode firstRule() throws Exception {
        return faults("GET", null).path("rules").path(0);
    }

    @Test
    void aReadThatKeepsFailingRefusesTheHoldBeforeTwilioIsAsked() throws Exception {
        String customer = "+14155550181";
        Connected connected = connect(customer);
        Agent agent = signIn(connected.agent());
        sim.clearRequests();

        faults("POST", Map.of("operation", "GetItem", "status", 500, "times", 1000));
        Agent.Answer refused = agent.post("/calls/" + connected.task() + "/hold", Map.of("hold", true));
        assertEquals(503, refused.status(), refused.body().toString());
        assertEquals("temporarily_unavailable", refused.body().path("error").path("code").asText());
        assertFalse(refused.body().toString().contains("Exception"), "no internals: " + refused.body());
        JsonNode rule = firstRule();
        assertTrue(rule.path("failed").asLong() >= 1, rule.toString());
        assertEquals(rule.path("matched").asLong(), rule.path("failed").asLong());
        assertEquals(0, functionRequests().size(), "nothing was sent to Twilio: " + functionRequests());
        assertEquals(Set.of(connected.agent()), sim.hears(customer), "the customer still hears the agent");

        faults("DELETE", null);
        Agent.Answer held = agent.post("/calls/" + connected.task() + "/hold", Map.of("hold", true));
        assertEquals(200, held.status(), "the agent's repeat goes through: " + held.body());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertTrue(agent.get("/calls/" + connected.task()).body().path("hold").asBoolean());
    }

    @Test
    void aThrottledWriteIsRetriedAndTheHoldSucceeds() throws Exception {
        String customer = "+14155550182";
        Connected connected = connect(customer);
        Agent agent = signIn(connected.agent());

        faults("POST", Map.of("operation", "PutItem", "throttle", true, "nth", 1, "times", 1));
        Agent.Answer held = agent.post("/calls/" + connected.task() + "/hold", Map.of("hold", true));
        assertEquals(200, held.status(), held.body().toString());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertTrue(agent.get("/calls/" + connected.task()).body().path("hold").asBoolean(), "the throttled write was retried and landed");
        JsonNode rule = firstRule();
        assertEquals(1, rule.path("failed").asInt(), rule.toString());
        assertTrue(rule.path("matched").asInt() >= 2, "the SDK's retry is counted too: " + rule);
    }

    @Test
    void aTransferWhoseWritesFailAfterTheHoldLeavesTheCustomerWithTheAgentAndIsUndoneByTheReconciler() throws Exception {
        String customer = "+14155550183";
        Connected connected = connect(customer);
        Agent agent = signIn(connected.agent());
        String path = "/calls/" + connected.task() + "/cold-transfer";

        // The claim lands; every write after it fails: the routing write after the customer's hold, and the undo's own.
        // The claim names the target as on the call (GET /calls), so it is the record's put in a transaction with the
        // target's entry: the first TransactWriteItems lands, and every later one fails, as does every plain put.
        faults("POST", Map.of("operation", "TransactWriteItems", "status", 500, "nth", 2, "times", 1000));
        faults("POST", Map.of("operation", "PutItem", "status", 500, "nth", 1, "times", 1000));
        Agent.Answer failed = agent.post(path, Map.of("to", Map.of("worker", dev.callcontrol.local.sim.DemoWorkspace.CAROL)));
        faults("DELETE", null);
        assertEquals(503, failed.status(), failed.body().toString());
        assertEquals(Set.of(connected.agent()), sim.hears(customer), "the customer is back with the agent at once");
        JsonNode stuck = agent.get("/calls/" + connected.task()).body();
        assertEquals("starting", stuck.path("transfer").path("state").asText(), "the undo could not clear the claim: " + stuck);
        assertEquals(409, agent.post(path, Map.of("to", Map.of("queue", "sales"))).status(), "a transfer is still under way, as far as the record knows");
        int transferTasks = 0;
        for (JsonNode task : sim.tasks()) {
            if (task.path("attributes").asText().contains(connected.task()) && !task.path("sid").asText().equals(connected.task())) {
                assertEquals("canceled", task.path("assignment_status").asText(), "the transfer's task was withdrawn: " + task);
                transferTasks++;
            }
        }
        assertEquals(1, transferTasks, "the transfer had created its task before the write failed");

        sim.advance(90 + 2 * 60);
        JsonNode repaired = agent.get("/calls/" + connected.task()).body();
        assertTrue(repaired.path("transfer").isNull() || repaired.path("transfer").isMissingNode(), repaired.toString());
        assertEquals("transfer_undone", repaired.path("audit").path(0).path("event").asText(), repaired.toString());
        assertEquals(Set.of(connected.agent()), sim.hears(customer));
        assertEquals(202, agent.post(path, Map.of("to", Map.of("queue", "sales"))).status(), "the agent can transfer the call again");
        hangUp(customer);
    }
}
