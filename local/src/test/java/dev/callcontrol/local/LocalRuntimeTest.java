package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.SignatureVerifier;
import dev.callcontrol.twilio.WebhookUrls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local runtime end to end: HTTP in, handler in-process, DynamoDB Local up with the template's table. */
class LocalRuntimeTest {
    private static LocalRuntime runtime;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = Map.of(
                "LOCAL_TEMPLATE", Project.template().toString(),
                "LOCAL_PORT", "0",
                "LOCAL_SIMULATOR_PORT", "0",
                "CALLER_ID", "+14155550100");
        runtime = LocalRuntime.start(LocalRuntime.Options.fromEnvironment(env));
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    private static Map<String, String> assignment() {
        Map<String, String> form = new LinkedHashMap<>(Webhooks.form(Webhooks.sample("assignment-voice-task.json")));
        form.put("TaskAttributes", "{\"call_sid\":\"CA0123456789abcdef0123456789abcdef\",\"from\":\"+14155550123\"}");
        return form;
    }

    private static HttpResponse<String> post(String path, Map<String, String> form, String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(Webhooks.encode(form)));
        if (signature != null) {
            request.header("X-Twilio-Signature", signature);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void signedAssignmentCallbackGetsTheConferenceInstruction() throws Exception {
        Map<String, String> form = assignment();
        String signature = SignatureVerifier.sign(Webhooks.AUTH_TOKEN, runtime.baseUrl() + "/twilio/assignment", form);
        HttpResponse<String> response = post("/twilio/assignment", form, signature);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode instruction = Json.parse(response.body(), "response");
        assertEquals("conference", instruction.get("instruction").asText());
        assertEquals("client:alice", instruction.get("to").asText());
        assertEquals("+14155550100", instruction.get("from").asText(), "CALLER_ID from the environment, the task has no called number");
        assertEquals(runtime.baseUrl() + "/twilio/conference-events#" + WebhookUrls.RETRIES, instruction.get("conference_status_callback").asText(),
                "the conference's events are asked to be retried on a failed connection, a timeout or a 5xx");
    }

    @Test
    void unsignedOrTamperedCallbacksAreForbidden() throws Exception {
        Map<String, String> form = assignment();
        assertEquals(403, post("/twilio/assignment", form, null).statusCode());
        String signature = SignatureVerifier.sign(Webhooks.AUTH_TOKEN, runtime.baseUrl() + "/twilio/assignment", form);
        form.put("WorkerSid", "WK0000000000000000000000000000000f");
        assertEquals(403, post("/twilio/assignment", form, signature).statusCode());
    }

    @Test
    void unknownRoutesAndMethodsAreNotFound() throws Exception {
        assertEquals(404, post("/twilio/nowhere", assignment(), "x").statusCode());
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(runtime.baseUrl() + "/twilio/assignment")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, get.statusCode());
    }

    @Test
    void servesEveryRouteOfTheTemplateWithItsLocalEnvironment() {
        assertTrue(runtime.routes().contains(new LocalRuntime.ServedRoute("POST", "/twilio/assignment", "AssignmentCallbackFunction")));
        Map<String, String> env = runtime.environment("AssignmentCallbackFunction");
        assertEquals(LocalDefaults.AUTH_TOKEN, env.get("TWILIO_AUTH_TOKEN"), "the secret reference is replaced by the local token");
        assertEquals(runtime.baseUrl(), env.get("PUBLIC_BASE_URL"));
        assertEquals("CallsTable", env.get("TABLE_NAME"));
        assertEquals(runtime.dynamoDbEndpoint().toString(), env.get("DYNAMODB_ENDPOINT"));
        assertEquals("+14155550100", env.get("CALLER_ID"), "the caller's environment overrides the template");
        assertEquals("20", env.get("AGENT_RING_TIMEOUT"), "parameter defaults come from the template");
        assertEquals(runtime.simulator().orElseThrow().baseUrl(), env.get("TWILIO_API_BASE_URL"), "Twilio requests go to the simulator");
    }

    @Test
    void createsTheTemplatesTablesInDynamoDbLocal() {
        try (var dynamo = DynamoDbClients.create(runtime.dynamoDbEndpoint(), "us-east-1", false)) {
            var table = dynamo.describeTable(b -> b.tableName("CallsTable")).table();
            assertEquals(2, table.keySchema().size());
            assertEquals("expiresAt", dynamo.describeTimeToLive(b -> b.tableName("CallsTable")).timeToLiveDescription().attributeName());
        }
    }
}
