package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import com.twilio.rest.taskrouter.v1.workspace.Worker;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The toll-fraud guards that need a call centre running (issue 19, finding 5): an agent gets at
 * most {@code AGENT_DIALS_PER_MINUTE} calls placed a minute, shared by every container through the
 * calls table (429 {@code rate_limited} with {@code Retry-After} beyond it, and again allowed in the
 * next minute); every leg the product places to a number carries Twilio's {@code TimeLimit}; a
 * supervisor whose {@code contact_uri} is in no form the workspace uses is not dialled. The
 * number and {@code contact_uri} refusals that need no call are cases of the bad-input catalogue.
 */
@CallCentreScenario.WithSettings({"AGENT_DIALS_PER_MINUTE=2", "EXTERNAL_CALL_TIME_LIMIT_SECONDS=900"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TollFraudScenarioTest extends CallCentreScenario {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void anAgentGetsAtMostTheirDialsAMinuteThenA429WithRetryAfterUntilTheNextMinute() throws Exception {
        sim.advance(60);
        String token = Agent.token(runtime.baseUrl(), "carol");
        List<String> tasks = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> placed = outbound(token, "+1415555016" + i);
                assertEquals(202, placed.statusCode(), placed.body());
                tasks.add(Json.parse(placed.body(), "answer").path("taskSid").asText());
            }
            int tasksBefore = sim.tasks().size();
            HttpResponse<String> refused = outbound(token, "+14155550169");
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals("rate_limited", Json.parse(refused.body(), "answer").path("error").path("code").asText());
            long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
            assertEquals(tasksBefore, sim.tasks().size(), "the refused call created no task");

            sim.advance((int) retryAfter);
            HttpResponse<String> next = outbound(token, "+14155550168");
            assertEquals(202, next.statusCode(), "the next minute has room again: " + next.body());
            tasks.add(Json.parse(next.body(), "answer").path("taskSid").asText());
        } finally {
            for (String task : tasks) {
                String status = task(task).path("assignment_status").asText();
                if (status.equals("pending") || status.equals("reserved")) {
                    Task.updater(DemoWorkspace.WORKSPACE_SID, task).setAssignmentStatus(Task.Status.CANCELED).setReason("test over").update(twilio);
                }
            }
            hangUpEveryone(sim);
        }
    }

    @Test
    void aLegToANumberCarriesTheTimeLimit() {
        sim.advance(60);
        Connected call = connect("+14155550161");
        Agent agent = signIn(call.agent());
        sim.clearRequests();
        Agent.Answer transfer = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("number", "+14155550177")));
        assertEquals(202, transfer.status(), transfer.body().toString());
        List<JsonNode> added = requests("POST", ".*/Conferences/CF[0-9a-f]{32}/Participants\\.json");
        assertEquals(1, added.size(), added.toString());
        assertEquals("900", added.get(0).path("parameters").path("TimeLimit").path(0).asText(), "Twilio ends the external leg after EXTERNAL_CALL_TIME_LIMIT_SECONDS");
        hangUpEveryone(sim);
    }

    /**
     * First, because a function reads a worker once a minute at most (its per-container cache): once
     * sam has joined a call, a change of his contact_uri would reach it only later. The other forms
     * refused are in DestinationsTest and the bad-input catalogue (assignment cases).
     */
    @Test
    @Order(1)
    void aSupervisorWhoseContactUriIsInNoAllowedFormIsNotDialled() {
        sim.advance(60);
        String original = Worker.fetcher(DemoWorkspace.WORKSPACE_SID, DemoWorkspace.SAM).fetch(twilio).getAttributes();
        Connected call = connect("+14155550162");
        try {
            for (String contactUri : List.of("sip:+19005550100@pbx.attacker.example")) {
                Map<String, Object> attributes = new java.util.LinkedHashMap<>(Json.MAPPER.convertValue(Json.parse(original, "sam"), Map.class));
                attributes.put("contact_uri", contactUri);
                Worker.updater(DemoWorkspace.WORKSPACE_SID, DemoWorkspace.SAM).setAttributes(Json.write(attributes)).update(twilio);
                sim.clearRequests();
                Agent.Answer refused = signIn("sam").post("/calls/" + call.task() + "/supervisor", Map.of("mode", "monitor"));
                assertEquals(409, refused.status(), contactUri + ": " + refused.body());
                assertEquals("invalid_contact_uri", refused.body().path("error").path("code").asText());
                assertTrue(requests("POST", ".*/Calls\\.json").isEmpty(), contactUri + " was not dialled");
                assertNull(sim.liveCall(contactUri));
            }
        } finally {
            Worker.updater(DemoWorkspace.WORKSPACE_SID, DemoWorkspace.SAM).setAttributes(original).update(twilio);
            hangUpEveryone(sim);
        }
    }

    private static HttpResponse<String> outbound(String token, String number) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(runtime.baseUrl() + "/calls"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"to\":\"" + number + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
