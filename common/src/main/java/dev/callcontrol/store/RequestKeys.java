package dev.callcontrol.store;

import dev.callcontrol.agent.IdempotencyKeys;
import dev.callcontrol.calls.CallRecord.StoredAnswer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code Idempotency-Key}s of agent requests that have no call record to keep them in
 * ({@code POST /calls}): one small item each in the calls table, {@code pk = KEY#<worker> <method>
 * <path> <key>}, {@code sk = KEY}, so keyed by the caller and the key. It holds the answer (or an
 * in-progress marker), the body's fingerprint and when the request began, and {@code expiresAt}
 * for TTL ({@link #RETENTION} on). Every write is conditional on what was read: two requests racing
 * with one key never both run. These items carry no {@code liveShard}, so the live index never
 * lists them.
 */
public final class RequestKeys implements IdempotencyKeys {
    /** Keys are kept this long, as Stripe keeps its: a retry a day later still gets the first answer. */
    static final Duration RETENTION = Duration.ofHours(24);
    static final int ATTEMPTS = 4;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public RequestKeys(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }

    @Override
    public StoredAnswer claim(String id, StoredAnswer marker, Predicate<StoredAnswer> replaceable) {
        for (int attempt = 1; ; attempt++) {
            Map<String, AttributeValue> item = read(id);
            StoredAnswer kept = item == null ? null : answer(item);
            boolean gone = item != null && expired(item);
            if (kept != null && !gone && !replaceable.test(kept)) {
                return kept;
            }
            try {
                if (item == null) {
                    CallStore.call("keeping an idempotency key", () -> dynamo.putItem(b -> b.tableName(table).item(item(id, marker))
                            .conditionExpression("attribute_not_exists(pk)")));
                } else if (kept.startedAt == null) {
                    CallStore.call("keeping an idempotency key", () -> dynamo.putItem(b -> b.tableName(table).item(item(id, marker))
                            .conditionExpression("attribute_exists(pk) AND attribute_not_exists(startedAt)")));
                } else {
                    CallStore.call("keeping an idempotency key", () -> dynamo.putItem(b -> b.tableName(table).item(item(id, marker))
                            .conditionExpression("startedAt = :seen")
                            .expressionAttributeValues(Map.of(":seen", AttributeValue.fromS(String.valueOf(kept.startedAt))))));
                }
                return null;
            } catch (ConditionalCheckFailedException e) {
                if (attempt == ATTEMPTS) {
                    throw new IllegalStateException("an idempotency key kept changing under " + ATTEMPTS + " attempts");
                }
            }
        }
    }

    @Override
    public void keep(String id, StoredAnswer marker, StoredAnswer answer) {
        try {
            CallStore.call("keeping an answer for an idempotency key", () -> dynamo.putItem(b -> b.tableName(table).item(item(id, answer))
                    .conditionExpression("startedAt = :mine AND #status = :running")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":mine", AttributeValue.fromS(marker.startedAt), ":running", AttributeValue.fromN("0")))));
        } catch (ConditionalCheckFailedException e) {
            // Another request took the key over after this one's marker expired: its answer is the one kept.
        }
    }

    @Override
    public void release(String id, StoredAnswer marker) {
        try {
            CallStore.call("freeing an idempotency key", () -> dynamo.deleteItem(b -> b.tableName(table).key(key(id))
                    .conditionExpression("startedAt = :mine AND #status = :running")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":mine", AttributeValue.fromS(marker.startedAt), ":running", AttributeValue.fromN("0")))));
        } catch (ConditionalCheckFailedException e) {
            // No longer this request's marker: nothing of this request's to free.
        }
    }

    private Map<String, AttributeValue> read(String id) {
        GetItemResponse response = CallStore.call("reading an idempotency key",
                () -> dynamo.getItem(b -> b.tableName(table).key(key(id)).consistentRead(true)));
        return response.hasItem() && !response.item().isEmpty() ? response.item() : null;
    }

    /** DynamoDB removes an expired item some time after it expires; until then it counts as gone. */
    private boolean expired(Map<String, AttributeValue> item) {
        AttributeValue expiresAt = item.get("expiresAt");
        return expiresAt != null && Long.parseLong(expiresAt.n()) <= clock.instant().getEpochSecond();
    }

    private Map<String, AttributeValue> item(String id, StoredAnswer answer) {
        Map<String, AttributeValue> item = new HashMap<>(key(id));
        item.put("status", AttributeValue.fromN(String.valueOf(answer.status)));
        if (answer.body != null) {
            item.put("body", AttributeValue.fromS(answer.body));
        }
        item.put("by", AttributeValue.fromS(answer.by));
        item.put("fingerprint", AttributeValue.fromS(answer.fingerprint));
        item.put("startedAt", AttributeValue.fromS(answer.startedAt));
        Instant now = clock.instant();
        item.put("expiresAt", AttributeValue.fromN(String.valueOf(now.plus(RETENTION).getEpochSecond())));
        return item;
    }

    private static StoredAnswer answer(Map<String, AttributeValue> item) {
        StoredAnswer answer = new StoredAnswer();
        answer.status = item.containsKey("status") ? Integer.parseInt(item.get("status").n()) : 0;
        answer.body = item.containsKey("body") ? item.get("body").s() : null;
        answer.by = item.containsKey("by") ? item.get("by").s() : null;
        answer.fingerprint = item.containsKey("fingerprint") ? item.get("fingerprint").s() : null;
        answer.startedAt = item.containsKey("startedAt") ? item.get("startedAt").s() : null;
        return answer;
    }

    static Map<String, AttributeValue> key(String id) {
        return Map.of("pk", AttributeValue.fromS("KEY#" + id), "sk", AttributeValue.fromS("KEY"));
    }
}
