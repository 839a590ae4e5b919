package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DynamoDB fault rules on their own: which request a rule acts on, what it answers, and which rules are refused. */
class DynamoDbFaultRulesTest {

    private static JsonNode json(String text) {
        return Json.parse(text, "rule");
    }

    /** Which of {@code count} requests of {@code operation} got a fault (1-based), and of which kind. */
    private static List<Integer> faulted(DynamoDbFaults.Rules rules, String operation, int count) {
        List<Integer> hit = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            if (rules.match(operation) != null) {
                hit.add(i);
            }
        }
        return hit;
    }

    @Test
    void nthAndTimesPickTheWindowCountedFromWhenTheRuleWasAdded() {
        DynamoDbFaults.Rules rules = new DynamoDbFaults.Rules();
        assertNull(rules.match("PutItem"), "no rule: forwarded untouched");
        rules.add(json("{\"operation\":\"PutItem\",\"nth\":2,\"times\":3,\"status\":500}"));
        assertEquals(List.of(2, 3, 4), faulted(rules, "PutItem", 6));
        Map<String, Object> described = rules.describe().get(0);
        assertEquals(6L, described.get("matched"));
        assertEquals(3L, described.get("failed"));
    }

    @Test
    void nthAndTimesDefaultToTheNextRequestOnly() {
        DynamoDbFaults.Rules rules = new DynamoDbFaults.Rules();
        Map<String, Object> added = rules.add(json("{\"operation\":\"UpdateItem\",\"status\":500}"));
        assertEquals(1L, added.get("nth"));
        assertEquals(1L, added.get("times"));
        assertEquals(List.of(1), faulted(rules, "UpdateItem", 3));
    }

    @Test
    void aRuleCountsOnlyItsOperationAndStarMatchesThemAll() {
        DynamoDbFaults.Rules rules = new DynamoDbFaults.Rules();
        rules.add(json("{\"operation\":\"PutItem\",\"nth\":2,\"status\":500}"));
        assertNull(rules.match("GetItem"));
        assertNull(rules.match("PutItem"), "the first PutItem is before the window");
        assertNull(rules.match("GetItem"));
        assertNotNull(rules.match("PutItem"), "the second PutItem: GetItems are not counted");
        assertEquals(2L, rules.describe().get(0).get("matched"));

        DynamoDbFaults.Rules every = new DynamoDbFaults.Rules();
        every.add(json("{\"nth\":2,\"times\":2,\"throttle\":true}"));
        assertNull(every.match("GetItem"));
        assertEquals("ProvisionedThroughputExceededException", every.match("PutItem").throttle());
        assertNotNull(every.match("Query"));
        assertNull(every.match("GetItem"));
        DynamoDbFaults.Rules star = new DynamoDbFaults.Rules();
        assertEquals("*", star.add(json("{\"operation\":\"*\",\"delayMillis\":5}")).get("operation"));
    }

    @Test
    void theFirstRuleWhoseWindowHoldsTheRequestActsAndEveryRuleCountsIt() {
        DynamoDbFaults.Rules rules = new DynamoDbFaults.Rules();
        rules.add(json("{\"operation\":\"PutItem\",\"nth\":2,\"status\":503}"));
        rules.add(json("{\"operation\":\"PutItem\",\"nth\":1,\"times\":2,\"throttle\":\"ThrottlingException\"}"));
        DynamoDbFaults.Fault first = rules.match("PutItem");
        assertEquals("ThrottlingException", first.throttle(), "only the second rule's window holds the first request");
        DynamoDbFaults.Fault second = rules.match("PutItem");
        assertEquals(503, second.status(), "both windows hold the second request: the first rule added acts");
        assertNull(rules.match("PutItem"), "both windows are over");
        List<Map<String, Object>> described = rules.describe();
        assertEquals(List.of(3L, 1L), List.of(described.get(0).get("matched"), described.get(0).get("failed")));
        assertEquals(List.of(3L, 1L), List.of(described.get(1).get("matched"), described.get(1).get("failed")),
                "the second rule counted the request the first one took, and did not act on it");
        assertEquals(2, rules.clear());
        assertTrue(rules.describe().isEmpty());
        assertNull(rules.match("PutItem"));
    }

    @Test
    void aFaultAnswersAsDynamoDbDoes() {
        DynamoDbFaults.Rules rules = new DynamoDbFaults.Rules();
        rules.add(json("{\"operation\":\"PutItem\",\"status\":500}"));
        rules.add(json("{\"operation\":\"GetItem\",\"status\":503,\"delayMillis\":20}"));
        rules.add(json("{\"operation\":\"Query\",\"throttle\":true,\"after\":true}"));
        rules.add(json("{\"operation\":\"Scan\",\"delayMillis\":30}"));

        DynamoDbFaults.Answer internal = rules.match("PutItem").answer();
        assertEquals(500, internal.status());
        assertEquals(List.of("application/x-amz-json-1.0"), internal.headers().get("Content-Type"));
        JsonNode body = Json.parse(new String(internal.body(), StandardCharsets.UTF_8), "body");
        assertEquals("com.amazonaws.dynamodb.v20120810#InternalServerError", body.path("__type").asText());
        assertTrue(body.path("message").asText().contains("rule 1"), body.toString());

        DynamoDbFaults.Fault unavailable = rules.match("GetItem");
        assertEquals(20, unavailable.delayMillis());
        assertEquals(503, unavailable.answer().status());
        assertTrue(new String(unavailable.answer().body(), StandardCharsets.UTF_8).contains("#ServiceUnavailable"));

        DynamoDbFaults.Fault throttled = rules.match("Query");
        assertTrue(throttled.after());
        assertEquals(400, throttled.answer().status());
        assertTrue(new String(throttled.answer().body(), StandardCharsets.UTF_8).contains("v20120810#ProvisionedThroughputExceededException"));

        DynamoDbFaults.Fault late = rules.match("Scan");
        assertFalse(late.fails(), "a delay alone forwards the request");
        assertEquals(30, late.delayMillis());
    }

    @Test
    void theOperationComesFromTheTargetHeader() {
        assertEquals("UpdateItem", DynamoDbFaults.operation("DynamoDB_20120810.UpdateItem"));
        assertNull(DynamoDbFaults.operation("DynamoDBStreams_20120810.GetRecords"), "another API: no rule applies");
        assertNull(DynamoDbFaults.operation(null));
        assertTrue(DynamoDbFaults.operations().containsAll(List.of("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                "TransactWriteItems", "BatchWriteItem", "CreateTable", "DescribeTable")), DynamoDbFaults.operations().toString());
        assertFalse(DynamoDbFaults.operations().contains("Putitem"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[]", "\"PutItem\"", "42", "null",
            "{\"operation\":\"Frobnicate\",\"status\":500}",
            "{\"operation\":\"putitem\",\"status\":500}",
            "{\"operation\":7,\"status\":500}",
            "{\"operation\":\"PutItem\",\"nth\":-1,\"status\":500}",
            "{\"operation\":\"PutItem\",\"nth\":0,\"status\":500}",
            "{\"operation\":\"PutItem\",\"times\":0,\"status\":500}",
            "{\"operation\":\"PutItem\",\"times\":-3,\"status\":500}",
            "{\"operation\":\"PutItem\",\"nth\":1.5,\"status\":500}",
            "{\"operation\":\"PutItem\",\"nth\":\"1\",\"status\":500}",
            "{\"operation\":\"PutItem\",\"nth\":99999999999999999999,\"status\":500}",
            "{\"operation\":\"PutItem\",\"status\":404}",
            "{\"operation\":\"PutItem\",\"status\":-500}",
            "{\"operation\":\"PutItem\",\"status\":\"500\"}",
            "{\"operation\":\"PutItem\",\"status\":500,\"throttle\":true}",
            "{\"operation\":\"PutItem\",\"throttle\":\"SlowDown\"}",
            "{\"operation\":\"PutItem\",\"throttle\":1}",
            "{\"operation\":\"PutItem\",\"throttle\":false}",
            "{\"operation\":\"PutItem\"}",
            "{\"operation\":\"PutItem\",\"delayMillis\":-5}",
            "{\"operation\":\"PutItem\",\"delayMillis\":600000}",
            "{\"operation\":\"PutItem\",\"status\":500,\"after\":\"yes\"}",
            "{\"operation\":\"PutItem\",\"status\":500,\"delay\":100}",
    })
    void aMalformedRuleIsABadRequest(String rule) {
        DynamoDbFaults.Rules rules = new DynamoDbFaults.Rules();
        HttpError refused = assertThrows(HttpError.class, () -> rules.add(json(rule)));
        assertEquals(400, refused.status(), refused.getMessage());
        assertEquals("bad_request", refused.code());
        assertTrue(rules.describe().isEmpty(), "nothing was added");
    }

    @Test
    void rulesAreBounded() {
        DynamoDbFaults.Rules rules = new DynamoDbFaults.Rules();
        for (int i = 0; i < DynamoDbFaults.Rules.MAX_RULES; i++) {
            rules.add(json("{\"delayMillis\":1}"));
        }
        HttpError refused = assertThrows(HttpError.class, () -> rules.add(json("{\"delayMillis\":1}")));
        assertEquals(409, refused.status());
    }
}
