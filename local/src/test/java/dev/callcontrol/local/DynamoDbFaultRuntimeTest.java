package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.http.Json;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.SignatureVerifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DynamoDB faults through the local runtime: the functions' {@code DYNAMODB_ENDPOINT} is the fault
 * proxy, {@code /dev/faults/dynamodb} arms it, and a product route (the conference status
 * callback, which writes the call record) meets each fault as it would meet DynamoDB's own.
 */
class DynamoDbFaultRuntimeTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static LocalRuntime runtime;
    /** DynamoDB Local itself, past the proxy: what is really stored. */
    private static DynamoDbClient direct;
    private static CallStore records;
    private static int tasks;

    @BeforeAll
    static void start() throws Exception {
        runtime = LocalRuntime.start(LocalRuntime.Options.fromEnvironment(Map.of(
                "LOCAL_TEMPLATE", Project.template().toString(),
                "LOCAL_PORT", "0",
                "LOCAL_SIMULATOR_PORT", "0")));
        direct = DynamoDbClients.create(runtime.dynamoDbFaults().orElseThrow().target(), "us-east-1", false);
        records = new CallStore(direct, "CallsTable", Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        direct.close();
        runtime.close();
    }

    @AfterEach
    void clearFaults() throws Exception {
        assertEquals(200, send("DELETE", null).statusCode());
    }

    private static HttpResponse<String> send(String method, String body) throws Exception {
        return send(runtime, method, body);
    }

    private static HttpResponse<String> send(LocalRuntime on, String method, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(on.baseUrl() + DynamoDbFaultControl.PATH))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode arm(String rule) throws Exception {
        HttpResponse<String> added = send("POST", rule);
        assertEquals(201, added.statusCode(), added.body());
        return Json.parse(added.body(), "the rule");
    }

    private static JsonNode rule(int index) throws Exception {
        HttpResponse<String> listed = send("GET", null);
        assertEquals(200, listed.statusCode());
        return Json.parse(listed.body(), "the rules").path("rules").path(index);
    }

    /** A fresh task SID, so that each case has a call record of its own. */
    private static String newTask() {
        return String.format("WT%032x", 0xfa0170000L + ++tasks);
    }

    /** The customer's leg joins the task's conference, as Twilio reports it (signed): the product writes the call record. */
    private static HttpResponse<String> customerJoined(String task) throws Exception {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", LocalDefaults.ACCOUNT_SID);
        form.put("ConferenceSid", "CF" + task.substring(2));
        form.put("FriendlyName", task);
        form.put("StatusCallbackEvent", "participant-join");
        form.put("SequenceNumber", "1");
        form.put("Timestamp", "Mon, 23 Nov 2026 20:15:00 +0000");
        form.put("CallSid", "CA" + task.substring(2));
        form.put("ParticipantLabel", "customer");
        form.put("Muted", "false");
        form.put("Hold", "false");
        form.put("Coaching", "false");
        form.put("EndConferenceOnExit", "true");
        form.put("StartConferenceOnEnter", "true");
        form.put("ParticipantCallStatus", "in-progress");
        String url = runtime.baseUrl() + "/twilio/conference-events";
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(SignatureVerifier.HEADER, SignatureVerifier.sign(Webhooks.AUTH_TOKEN, url, form))
                .POST(HttpRequest.BodyPublishers.ofString(Webhooks.encode(form)))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static boolean customerPresent(String task) {
        Optional<CallRecord> record = records.find(task);
        return record.isPresent() && record.get().legs.get("CA" + task.substring(2)) != null && record.get().legs.get("CA" + task.substring(2)).present;
    }

    private static long version(String task) {
        return Long.parseLong(direct.getItem(b -> b.tableName("CallsTable").consistentRead(true).key(Map.of(
                "pk", AttributeValue.fromS("TASK#" + task), "sk", AttributeValue.fromS("CALL")))).item().get("version").n());
    }

    @Test
    void everyFunctionReachesDynamoDbThroughTheProxy() throws Exception {
        DynamoDbFaults proxy = runtime.dynamoDbFaults().orElseThrow();
        assertNotEquals(proxy.endpoint(), proxy.target());
        for (LocalRuntime.ServedRoute route : runtime.routes()) {
            assertEquals(proxy.endpoint().toString(), runtime.environment(route.function()).get("DYNAMODB_ENDPOINT"), route.function());
        }
        JsonNode listed = Json.parse(send("GET", null).body(), "the rules");
        assertEquals(proxy.endpoint().toString(), listed.path("proxy").asText());
        assertEquals(proxy.target().toString(), listed.path("dynamoDb").asText());
        assertEquals(0, listed.path("rules").size());
    }

    @Test
    void aFailedWriteFailsTheWebhookCleanlyAndItsRepeatSucceeds() throws Exception {
        String task = newTask();
        // Every attempt the SDK makes fails, so the failure reaches the product.
        arm("{\"operation\":\"PutItem\",\"status\":500,\"times\":1000}");
        HttpResponse<String> failed = customerJoined(task);
        assertEquals(503, failed.statusCode(), failed.body());
        JsonNode error = Json.parse(failed.body(), "the answer");
        assertEquals("temporarily_unavailable", error.path("error").path("code").asText(), failed.body());
        assertFalse(failed.body().contains("Exception") || failed.body().contains("at dev.") || failed.body().contains("dynamodb"),
                "no internals in the answer: " + failed.body());
        JsonNode counted = rule(0);
        assertTrue(counted.path("failed").asLong() >= 1, counted.toString());
        assertEquals(counted.path("matched").asLong(), counted.path("failed").asLong(), "each of the SDK's attempts was one request, and failed");
        assertTrue(records.find(task).isEmpty(), "nothing was written");

        assertEquals(200, send("DELETE", null).statusCode());
        HttpResponse<String> repeated = customerJoined(task);
        assertEquals(200, repeated.statusCode(), "Twilio's retry (the URL asks for one on a 5xx) goes through: " + repeated.body());
        assertTrue(customerPresent(task));
    }

    @Test
    void aFiveHundredTheSdkRetriesIsNeverSeen() throws Exception {
        String task = newTask();
        arm("{\"operation\":\"PutItem\",\"nth\":1,\"times\":1,\"status\":500}");
        assertEquals(200, customerJoined(task).statusCode());
        assertTrue(customerPresent(task));
        assertEquals(1, rule(0).path("failed").asInt());
        assertEquals(2, rule(0).path("matched").asInt(), "the first attempt failed, the SDK's retry went through");
    }

    @Test
    void aThrottledWriteIsRetriedByTheSdkAndTheRequestSucceeds() throws Exception {
        String task = newTask();
        arm("{\"operation\":\"PutItem\",\"throttle\":true}");
        HttpResponse<String> answered = customerJoined(task);
        assertEquals(200, answered.statusCode(), answered.body());
        assertTrue(customerPresent(task));
        assertEquals(1, rule(0).path("failed").asInt());
        assertEquals(2, rule(0).path("matched").asInt());
    }

    @Test
    void aDelayedReadDelaysTheRequest() throws Exception {
        String task = newTask();
        arm("{\"operation\":\"GetItem\",\"delayMillis\":400}");
        long started = System.nanoTime();
        assertEquals(200, customerJoined(task).statusCode());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis >= 400, "took " + tookMillis + " ms");
        assertTrue(customerPresent(task));
        assertEquals(1, rule(0).path("failed").asInt());
    }

    @Test
    void aSilentReadIsCutAndRetriedAndOneThatOutlastsTheRequestsCeilingIsA504() throws Exception {
        String task = newTask();
        // One attempt held far longer than it may take (DynamoDbClients.ATTEMPT_TIMEOUT): cut, and the SDK's retry goes through.
        arm("{\"operation\":\"GetItem\",\"delayMillis\":10000,\"times\":1}");
        assertEquals(200, customerJoined(task).statusCode());
        assertTrue(customerPresent(task));
        assertEquals(List.of(2, 1), List.of(rule(0).path("matched").asInt(), rule(0).path("failed").asInt()));
        assertEquals(200, send("DELETE", null).statusCode());

        String late = newTask();
        // Every attempt held: the request is cut at its ceiling (DynamoDbClients.CALL_TIMEOUT), well inside the function's 15 s.
        arm("{\"operation\":\"GetItem\",\"delayMillis\":10000,\"times\":1000}");
        HttpResponse<String> cut = customerJoined(late);
        assertEquals(504, cut.statusCode(), cut.body());
        assertEquals("out_of_time", Json.parse(cut.body(), "the answer").path("error").path("code").asText(), cut.body());
        assertTrue(records.find(late).isEmpty(), "nothing was written");
        assertEquals(200, send("DELETE", null).statusCode());
        HttpResponse<String> repeated = customerJoined(late);
        assertEquals(200, repeated.statusCode(), "Twilio's retry (the URL asks for one on a 5xx) goes through: " + repeated.body());
        assertTrue(customerPresent(late));
    }

    @Test
    void aWriteWhoseAnswerIsLostIsStillDone() throws Exception {
        String task = newTask();
        arm("{\"operation\":\"PutItem\",\"status\":500,\"after\":true}");
        HttpResponse<String> answered = customerJoined(task);
        // DynamoDB wrote the record; the SDK's retry of the conditional create is refused (it exists), so the
        // product reads it again, finds the event applied and has nothing left to write.
        assertEquals(200, answered.statusCode(), answered.body());
        assertTrue(customerPresent(task));
        assertEquals(1, version(task), "written once");
        assertEquals(1, rule(0).path("failed").asInt());

        String lost = newTask();
        arm("{\"operation\":\"PutItem\",\"status\":500,\"after\":true,\"times\":1000}");
        assertEquals(503, customerJoined(lost).statusCode(), "every answer lost: the product cannot know it wrote");
        assertTrue(customerPresent(lost), "yet the write was done");
        assertEquals(200, send("DELETE", null).statusCode());
        assertEquals(200, customerJoined(lost).statusCode(), "Twilio's retry finds the event applied");
        assertEquals(1, version(lost), "and writes nothing more");
    }

    @Test
    void theControlRouteListsAndClearsRules() throws Exception {
        JsonNode added = arm("{\"operation\":\"UpdateItem\",\"nth\":3,\"times\":2,\"status\":503,\"delayMillis\":10}");
        assertEquals("UpdateItem", added.path("operation").asText());
        assertEquals(3, added.path("nth").asInt());
        assertEquals(2, added.path("times").asInt());
        assertEquals(503, added.path("status").asInt());
        assertEquals(0, added.path("matched").asInt());
        assertEquals(0, added.path("failed").asInt());
        arm("{\"throttle\":true}");
        assertEquals("*", rule(1).path("operation").asText());
        assertEquals("ProvisionedThroughputExceededException", rule(1).path("throttle").asText());
        HttpResponse<String> cleared = send("DELETE", null);
        assertEquals(2, Json.parse(cleared.body(), "cleared").path("cleared").asInt());
        assertEquals(0, Json.parse(send("GET", null).body(), "rules").path("rules").size());
    }

    @Test
    void malformedRulesGetAJsonBadRequest() throws Exception {
        for (String rule : List.of("", "not json", "[1,2]", "\"PutItem\"", "{\"operation\":\"DropTable\",\"status\":500}",
                "{\"operation\":\"PutItem\",\"nth\":-2,\"status\":500}", "{\"operation\":\"PutItem\",\"times\":-1,\"status\":500}",
                "{\"operation\":\"PutItem\",\"delayMillis\":-1}", "{\"operation\":\"PutItem\",\"status\":418}", "{\"operation\":\"PutItem\"}")) {
            HttpResponse<String> refused = send("POST", rule);
            assertEquals(400, refused.statusCode(), rule + " -> " + refused.body());
            assertEquals("application/json", refused.headers().firstValue("Content-Type").orElse(""));
            JsonNode error = Json.parse(refused.body(), "the error").path("error");
            assertEquals("bad_request", error.path("code").asText(), rule);
            assertFalse(error.path("message").asText().isBlank(), rule);
        }
        assertEquals(0, Json.parse(send("GET", null).body(), "rules").path("rules").size(), "nothing was added");
        HttpResponse<String> tooBig = send("POST", "{\"operation\":\"" + "x".repeat(20_000) + "\"}");
        assertEquals(400, tooBig.statusCode());
    }

    @Test
    void otherMethodsAndPathsAreRefused() throws Exception {
        HttpResponse<String> put = send("PUT", "{}");
        assertEquals(405, put.statusCode());
        assertEquals("method_not_allowed", Json.parse(put.body(), "error").path("error").path("code").asText());
        HttpResponse<String> elsewhere = HTTP.send(HttpRequest.newBuilder(URI.create(runtime.baseUrl() + DynamoDbFaultControl.PATH + "/1")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, elsewhere.statusCode());
    }

    @Test
    void withADynamoDbOfYourOwnThereIsNoProxyAndTheRouteSaysWhy() throws Exception {
        try (EmbeddedDynamoDb own = EmbeddedDynamoDb.start(0)) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "LOCAL_TEMPLATE", Project.template().toString(),
                    "LOCAL_PORT", "0",
                    "LOCAL_SIMULATOR_PORT", "0",
                    "DYNAMODB_ENDPOINT", own.endpoint().toString()));
            try (LocalRuntime elsewhere = LocalRuntime.start(LocalRuntime.Options.fromEnvironment(env))) {
                assertTrue(elsewhere.dynamoDbFaults().isEmpty());
                assertEquals(own.endpoint().toString(), elsewhere.environment("ConferenceEventsFunction").get("DYNAMODB_ENDPOINT"),
                        "the functions reach it directly");
                for (String method : List.of("GET", "POST", "DELETE")) {
                    HttpResponse<String> refused = send(elsewhere, method, method.equals("POST") ? "{\"status\":500}" : null);
                    assertEquals(409, refused.statusCode(), method);
                    JsonNode error = Json.parse(refused.body(), "the error").path("error");
                    assertEquals("no_fault_proxy", error.path("code").asText());
                    assertTrue(error.path("message").asText().contains("DYNAMODB_ENDPOINT"), error.toString());
                }
            }
        }
    }
}
