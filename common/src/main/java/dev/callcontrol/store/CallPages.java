package dev.callcontrol.store;

import dev.callcontrol.calls.CallListing;
import dev.callcontrol.calls.CallRecord;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pages of {@code GET /calls}, read without a scan. Every live call: the live index's shards in
 * turn ({@link CallStore#LIVE_SHARDS}), each in key order. A worker's calls: their entries in the
 * table itself ({@code pk = WORKER#<worker>}, {@code sk = CALL#<task>}, written with the record in one
 * transaction), read consistently. Either way the page's records are then fetched in one
 * BatchGetItem (a page is at most {@link CallListing#MAX_PAGE}, BatchGetItem's own limit).
 *
 * <p>A cursor is opaque to callers: the listing it belongs to and where the page before stopped,
 * in base64url. One that does not decode to that is a {@link CallListing.BadCursor}.
 */
final class CallPages {
    private static final Pattern LIVE_CURSOR = Pattern.compile("^live:([0-9]+):(WT[0-9a-fA-F]{32})$");
    private static final Pattern WORKER_CURSOR = Pattern.compile("^worker:(WK[0-9a-fA-F]{32}):(WT[0-9a-fA-F]{32})$");
    /** BatchGetItem may leave keys unprocessed (throughput); they are asked for again this many times at most. */
    private static final int BATCH_ROUNDS = 5;

    private final DynamoDbClient dynamo;
    private final String table;

    CallPages(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    static Map<String, AttributeValue> workerEntry(String workerSid, String taskSid) {
        return Map.of("pk", AttributeValue.fromS("WORKER#" + workerSid), "sk", AttributeValue.fromS("CALL#" + taskSid));
    }

    CallListing.Page everyLiveCall(String cursor, int size) {
        int shard = 0;
        String after = null;
        if (cursor != null) {
            Matcher at = decode(cursor, LIVE_CURSOR);
            shard = Integer.parseInt(at.group(1));
            after = at.group(2);
            if (shard >= CallStore.LIVE_SHARDS) {
                throw new CallListing.BadCursor("cursor is not one this listing gave");
            }
        }
        List<String> tasks = new ArrayList<>();
        String next = null;
        while (shard < CallStore.LIVE_SHARDS) {
            String partition = "live#" + shard;
            Map<String, AttributeValue> start = null;
            if (after != null) {
                start = new HashMap<>(key(after));
                start.put("liveShard", AttributeValue.fromS(partition));
            }
            Map<String, AttributeValue> from = start;
            int wanted = size - tasks.size();
            QueryResponse page = dynamo.query(b -> b.tableName(table).indexName(CallStore.LIVE_INDEX)
                    .keyConditionExpression("liveShard = :shard")
                    .expressionAttributeValues(Map.of(":shard", AttributeValue.fromS(partition)))
                    .exclusiveStartKey(from).limit(wanted));
            page.items().forEach(item -> tasks.add(item.get("pk").s().substring("TASK#".length())));
            boolean more = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty();
            if (tasks.size() >= size) {
                // Full: the next page goes on after this page's last call, unless nothing is left after it.
                if (more || shard + 1 < CallStore.LIVE_SHARDS) {
                    next = encode("live:" + shard + ":" + tasks.get(tasks.size() - 1));
                }
                break;
            }
            if (more && !page.items().isEmpty()) {
                // DynamoDB stopped short of the limit (1 MB read): on in the same shard.
                after = tasks.get(tasks.size() - 1);
            } else {
                shard++;
                after = null;
            }
        }
        return new CallListing.Page(records(tasks), next);
    }

    CallListing.Page workersCalls(String workerSid, String cursor, int size) {
        Map<String, AttributeValue> start = null;
        if (cursor != null) {
            Matcher at = decode(cursor, WORKER_CURSOR);
            if (!at.group(1).equals(workerSid)) {
                throw new CallListing.BadCursor("cursor is not one this listing gave");
            }
            start = workerEntry(workerSid, at.group(2));
        }
        Map<String, AttributeValue> from = start;
        QueryResponse page = dynamo.query(b -> b.tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :worker")
                .expressionAttributeValues(Map.of(":worker", AttributeValue.fromS("WORKER#" + workerSid)))
                .exclusiveStartKey(from).limit(size));
        List<String> tasks = page.items().stream().map(item -> item.get("sk").s().substring("CALL#".length())).toList();
        String next = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() && !tasks.isEmpty()
                ? encode("worker:" + workerSid + ":" + tasks.get(tasks.size() - 1)) : null;
        return new CallListing.Page(records(tasks), next);
    }

    /** The records of these tasks, in this order; one the table no longer holds (its TTL) is left out. */
    private List<CallRecord> records(List<String> tasks) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        Map<String, CallRecord> found = new HashMap<>();
        List<Map<String, AttributeValue>> keys = tasks.stream().distinct().map(CallPages::key).toList();
        Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
        for (int round = 0; !request.isEmpty(); round++) {
            if (round == BATCH_ROUNDS) {
                throw new IllegalStateException("DynamoDB left call records unread after " + BATCH_ROUNDS + " rounds");
            }
            Map<String, KeysAndAttributes> asked = request;
            var response = dynamo.batchGetItem(b -> b.requestItems(asked));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                CallRecord record = CallStore.fromItem(item);
                found.put(record.taskSid, record);
            }
            request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
        }
        Map<String, CallRecord> ordered = new LinkedHashMap<>();
        for (String task : tasks) {
            CallRecord record = found.get(task);
            if (record != null) {
                ordered.put(task, record);
            }
        }
        return List.copyOf(ordered.values());
    }

    private static Map<String, AttributeValue> key(String taskSid) {
        return Map.of("pk", AttributeValue.fromS("TASK#" + taskSid), "sk", AttributeValue.fromS("CALL"));
    }

    private static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    private static Matcher decode(String cursor, Pattern shape) {
        String position;
        try {
            position = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new CallListing.BadCursor("cursor is not one this listing gave");
        }
        Matcher matcher = shape.matcher(position);
        if (!matcher.matches()) {
            throw new CallListing.BadCursor("cursor is not one this listing gave");
        }
        return matcher;
    }
}
