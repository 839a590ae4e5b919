package dev.callcontrol.store;

import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.CallListing;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.calls.Involvement;
import dev.callcontrol.calls.LiveCalls;
import dev.callcontrol.http.Backoff;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.JsonValues;
import dev.callcontrol.http.OutOfTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.warmup.http.CannedResponseHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Call records in DynamoDB: one item per task ({@code pk = TASK#<sid>}, {@code sk = CALL}) holding
 * the record as a JSON document, a {@code version} for optimistic locking, and {@code expiresAt}
 * for TTL. Every write is conditional on the version read, so concurrent webhooks never lose
 * each other's changes; a lost race is retried from a fresh read, after a jittered wait that grows
 * with each loss ({@link Backoff}) and never reaches into the invocation's reserve.
 *
 * <p>Each request is bounded by the time the invocation can spare ({@link DynamoDbClients}); one cut
 * short is an {@link OutOfTime} (504), and any request that fails for good releases the reserve to
 * what the caller does next ({@link Deadline#releaseReserve()}).
 */
public final class CallStore implements CallRecords, LiveCalls, CallListing {
    private static final Logger LOG = LoggerFactory.getLogger(CallStore.class);
    /** The sparse index of live calls (template.yaml's CallsTable): only records that are not aliases and not yet ended and settled ({@link CallRecord#live}) carry its key. */
    public static final String LIVE_INDEX = "live";
    /**
     * Live calls are spread over this many index partitions ({@code liveShard} = {@code live#0} to
     * {@code live#7}, by task SID), so that no one index partition takes every call's writes.
     */
    static final int LIVE_SHARDS = 8;
    /** Records live on this long after their last change: long enough for wrap-up and support questions. */
    static final Duration RETENTION = Duration.ofDays(2);
    static final int ATTEMPTS = 8;
    /** The wait after the first lost race is up to this; each later one doubles, up to {@link #BACKOFF_CAP_MILLIS}. */
    static final long BACKOFF_BASE_MILLIS = 20;
    static final long BACKOFF_CAP_MILLIS = 320;
    /** No wait begins unless the invocation can spare this much after it for the next read and write. */
    static final long NEXT_ATTEMPT_MILLIS = 2 * Deadline.MIN_REQUEST_MILLIS;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final Backoff backoff;

    public CallStore(DynamoDbClient dynamo, String table, Clock clock) {
        this(dynamo, table, clock, Backoff.standard(BACKOFF_BASE_MILLIS, BACKOFF_CAP_MILLIS));
    }

    /** With the waits between lost races of the caller's choosing: tests record them. */
    CallStore(DynamoDbClient dynamo, String table, Clock clock, Backoff backoff) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
        this.backoff = backoff;
    }

    /**
     * SnapStart priming, with no network call: a call record with every part filled in goes through
     * this store's read and both kinds of write against the SDK's canned responder, so its stored
     * JSON ({@link CallRecordJson}) is written and read back on the way.
     */
    public void prime() {
        CallRecord record = new CallRecord("WT00000000000000000000000000000000");
        record.conferenceSid = "CF00000000000000000000000000000000";
        record.customerCallSid = "CA00000000000000000000000000000000";
        CallRecord.Leg leg = new CallRecord.Leg();
        leg.callSid = record.customerCallSid;
        leg.role = dev.callcontrol.calls.Role.values()[0];
        record.legs.put(leg.callSid, leg);
        record.transfer = new CallRecord.Transfer();
        record.supervisor = new CallRecord.Supervision();
        record.warm = new dev.callcontrol.calls.WarmTransfer();
        record.callerAttributes = Map.of("priming", true);
        record.answers.put("priming", new CallRecord.StoredAnswer());
        record.tasks.put(record.taskSid, CallRecord.TASK_ROUTING);
        // The store's own requests, sent through a client like the real one (its region) whose HTTP
        // client is the SDK's canned responder, not the network: the SDK's request path
        // (marshalling, endpoint rules, signing, unmarshalling) is warm for the first real read and
        // write. Its credentials are made up: resolving the real ones could call the container
        // credentials endpoint (how SnapStart functions get theirs) before the snapshot. Every
        // request gets the same answer, an item holding the record.
        Map<String, Object> item = new LinkedHashMap<>();
        key(record.taskSid).forEach((name, value) -> item.put(name, Map.of("S", value.s())));
        item.put("doc", Map.of("S", CallRecordJson.write(record)));
        item.put("version", Map.of("N", "1"));
        String answer = JsonValues.write(Map.of("Item", item));
        var configuration = dynamo.serviceClientConfiguration();
        try (DynamoDbClient canned = DynamoDbClient.builder()
                .httpClient(CannedResponseHttpClient.builder().statusCode(200).responseBody(answer.getBytes(StandardCharsets.UTF_8)).build())
                .region(configuration.region())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")))
                .build()) {
            CallStore primed = new CallStore(canned, table, clock, backoff);
            Optional<CallRecord> back = primed.update(record.taskSid, () -> record, found -> true);
            if (back.isEmpty() || !record.taskSid.equals(back.get().taskSid) || !primed.write(record, false)) {
                throw new IllegalStateException("the primed store did not read and write its record");
            }
        }
    }

    @Override
    public Optional<CallRecord> find(String taskSid) {
        Optional<CallRecord> found = read(taskSid);
        if (found.isPresent() && found.get().aliasOf != null) {
            return read(found.get().aliasOf);
        }
        return found;
    }

    @Override
    public void alias(String taskSid, String callTaskSid) {
        CallRecord alias = new CallRecord(taskSid);
        alias.aliasOf = callTaskSid;
        alias.status = null;
        alias.legs = null;
        alias.tasks = null;
        // A repeat finds the alias already there, which is what it wanted.
        write(alias, false);
    }

    private Optional<CallRecord> read(String taskSid) {
        return readListed(taskSid).map(Stored::record);
    }

    /** A record as stored, with the workers whose listings hold it ({@code workers}). */
    private record Stored(CallRecord record, Set<String> listedFor) {
    }

    private Optional<Stored> readListed(String taskSid) {
        GetItemResponse response = call("reading the call record",
                () -> dynamo.getItem(b -> b.tableName(table).key(key(taskSid)).consistentRead(true)));
        if (!response.hasItem() || response.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = response.item();
        try {
            return Optional.of(new Stored(fromItem(item), listedFor(item)));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("call record " + taskSid + " is not readable", e);
        }
    }

    /** The record an item holds (the table's item, or one BatchGetItem answered). */
    static CallRecord fromItem(Map<String, AttributeValue> item) {
        CallRecord record = CallRecordJson.read(item.get("doc").s());
        record.version = Long.parseLong(item.get("version").n());
        return record;
    }

    private static Set<String> listedFor(Map<String, AttributeValue> item) {
        AttributeValue workers = item.get("workers");
        return workers == null || !workers.hasSs() ? Set.of() : new TreeSet<>(workers.ss());
    }

    /**
     * Changes the record (creating it with {@code create} when absent) and writes it back if the
     * change answered true. Retries from a fresh read when another writer won the race, after a
     * backoff; when the invocation cannot spare the wait and the next attempt, it stops with
     * {@link OutOfTime}.
     */
    @Override
    public Optional<CallRecord> update(String taskSid, Supplier<CallRecord> create, java.util.function.Predicate<CallRecord> change) {
        for (int attempt = 1; ; attempt++) {
            Optional<Stored> stored = readListed(taskSid);
            Optional<CallRecord> found = stored.map(Stored::record);
            CallRecord record = found.orElseGet(create);
            if (!change.test(record)) {
                return found;
            }
            if (write(record, found.isPresent(), stored.map(Stored::listedFor).orElse(Set.of()))) {
                return Optional.of(record);
            }
            if (attempt == ATTEMPTS) {
                Deadline.releaseReserve();
                throw new IllegalStateException("call record " + taskSid + " kept changing under " + ATTEMPTS + " attempts");
            }
            if (!backoff.pause(attempt, NEXT_ATTEMPT_MILLIS)) {
                Deadline.releaseReserve();
                throw OutOfTime.beforeSending("writing the call record again after another change");
            }
        }
    }

    /** Writes a new record or the next version of one read before; false when someone else wrote first. */
    boolean write(CallRecord record, boolean exists) {
        return write(record, exists, Set.of());
    }

    /**
     * As {@link #write(CallRecord, boolean)}, keeping the workers' listings ({@link Involvement}) in
     * step: the record names the workers whose listing holds it ({@code workers}); when they change,
     * the record and each worker's entry ({@code WORKER#<worker>}, {@code CALL#<task>}) are written
     * in one transaction, so a listing never misses a call nor keeps one that left it.
     */
    boolean write(CallRecord record, boolean exists, Set<String> listedBefore) {
        Map<String, AttributeValue> item = new HashMap<>(key(record.taskSid));
        item.put("doc", AttributeValue.fromS(CallRecordJson.write(record)));
        item.put("version", AttributeValue.fromN(String.valueOf(record.version + 1)));
        Instant now = clock.instant();
        item.put("expiresAt", AttributeValue.fromN(String.valueOf(now.plus(RETENTION).getEpochSecond())));
        item.put("changedAt", AttributeValue.fromN(String.valueOf(now.toEpochMilli())));
        if (record.live()) {
            // In the live index until the record is written ended and settled: a put without the attribute takes it out.
            item.put("liveShard", AttributeValue.fromS(liveShard(record.taskSid)));
        }
        Set<String> listed = Involvement.workers(record);
        if (!listed.isEmpty()) {
            item.put("workers", AttributeValue.fromSs(List.copyOf(listed)));
        }
        if (!listed.equals(listedBefore)) {
            return writeListed(record, exists, item, listedBefore, listed);
        }
        try {
            if (exists) {
                call("writing the call record", () -> dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("version = :read")
                        .expressionAttributeValues(Map.of(":read", AttributeValue.fromN(String.valueOf(record.version))))));
            } else {
                call("writing the call record", () -> dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")));
            }
            record.version++;
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private boolean writeListed(CallRecord record, boolean exists, Map<String, AttributeValue> item, Set<String> before, Set<String> after) {
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(TransactWriteItem.builder().put(p -> {
            p.tableName(table).item(item);
            if (exists) {
                p.conditionExpression("version = :read")
                        .expressionAttributeValues(Map.of(":read", AttributeValue.fromN(String.valueOf(record.version))));
            } else {
                p.conditionExpression("attribute_not_exists(pk)");
            }
        }).build());
        for (String worker : after) {
            if (!before.contains(worker)) {
                Map<String, AttributeValue> entry = new HashMap<>(CallPages.workerEntry(worker, record.taskSid));
                entry.put("expiresAt", item.get("expiresAt"));
                writes.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(entry)).build());
            }
        }
        for (String worker : before) {
            if (!after.contains(worker)) {
                writes.add(TransactWriteItem.builder().delete(d -> d.tableName(table).key(CallPages.workerEntry(worker, record.taskSid))).build());
            }
        }
        try {
            call("writing the call record and its listings", () -> dynamo.transactWriteItems(b -> b.transactItems(writes)));
            record.version++;
            return true;
        } catch (TransactionCanceledException e) {
            // Another writer won (the record's condition), or another transaction had the item: a fresh read decides.
            boolean lostRace = e.hasCancellationReasons() && e.cancellationReasons().stream()
                    .anyMatch(r -> "ConditionalCheckFailed".equals(r.code()) || "TransactionConflict".equals(r.code()));
            if (lostRace) {
                return false;
            }
            throw e;
        }
    }

    /**
     * One DynamoDB request: a lost condition is the caller's to read; a request cut short is
     * {@link OutOfTime}; any other failure goes up as it is. Either way the invocation may use its
     * reserve from then on.
     */
    static <T> T call(String what, Supplier<T> request) {
        try {
            return request.get();
        } catch (ConditionalCheckFailedException | TransactionCanceledException e) {
            throw e;
        } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
            Deadline.releaseReserve();
            LOG.warn("DynamoDB did not answer {} in the time the invocation could spare", what);
            throw OutOfTime.unanswered(what);
        } catch (RuntimeException e) {
            Deadline.releaseReserve();
            throw e;
        }
    }

    /** {@code Idempotency-Key}s of requests that have no call record yet, in this store's table, through its client. */
    public RequestKeys requestKeys() {
        return new RequestKeys(dynamo, table, clock);
    }

    @Override
    public List<Entry> live() {
        return call("listing the live calls", this::listLive);
    }

    private List<Entry> listLive() {
        List<Entry> out = new ArrayList<>();
        for (int shard = 0; shard < LIVE_SHARDS; shard++) {
            String partition = "live#" + shard;
            // Every page: the paginator follows LastEvaluatedKey. The index projects only the keys and changedAt.
            for (var page : dynamo.queryPaginator(b -> b.tableName(table).indexName(LIVE_INDEX)
                    .keyConditionExpression("liveShard = :shard")
                    .expressionAttributeValues(Map.of(":shard", AttributeValue.fromS(partition))))) {
                for (Map<String, AttributeValue> item : page.items()) {
                    String pk = item.get("pk").s();
                    AttributeValue changed = item.get("changedAt");
                    out.add(new Entry(pk.substring("TASK#".length()),
                            changed == null ? Instant.EPOCH : Instant.ofEpochMilli(Long.parseLong(changed.n()))));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(Entry::taskSid));
        return out;
    }

    /**
     * One conditional update of a counter item per worker and minute ({@code DIALS#<worker>#<minute>}):
     * it adds one while the count is under the limit and expires (TTL) an hour after its minute.
     * A fixed window: a worker gets at most {@code perMinute} in any minute of the clock, and at
     * most twice that across a minute's boundary.
     */
    @Override
    public long countDial(String workerSid, int perMinute) {
        Instant now = clock.instant();
        long minute = Math.floorDiv(now.getEpochSecond(), 60);
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("DIALS#" + workerSid + "#" + minute), "sk", AttributeValue.fromS("COUNT"));
        try {
            call("counting the agent's dials", () -> dynamo.updateItem(b -> b.tableName(table).key(key)
                    .updateExpression("ADD dials :one SET expiresAt = :expires")
                    .conditionExpression("attribute_not_exists(dials) OR dials < :limit")
                    .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"), ":limit", AttributeValue.fromN(String.valueOf(perMinute)),
                            ":expires", AttributeValue.fromN(String.valueOf((minute + 61) * 60))))));
            return 0;
        } catch (ConditionalCheckFailedException e) {
            return Math.max(1, (minute + 1) * 60 - now.getEpochSecond());
        }
    }

    /** The reconciler's cursor: one small item with no {@code liveShard}, so outside the live index. */
    private static final Map<String, AttributeValue> CURSOR = Map.of("pk", AttributeValue.fromS("RECONCILER"), "sk", AttributeValue.fromS("CURSOR"));

    @Override
    public Optional<String> cursor() {
        GetItemResponse response = call("reading the reconciler's cursor", () -> dynamo.getItem(b -> b.tableName(table).key(CURSOR)));
        AttributeValue at = response.hasItem() ? response.item().get("after") : null;
        return at == null ? Optional.empty() : Optional.of(at.s());
    }

    @Override
    public void cursor(String taskSid) {
        Map<String, AttributeValue> item = new HashMap<>(CURSOR);
        item.put("after", AttributeValue.fromS(taskSid));
        call("keeping the reconciler's cursor", () -> dynamo.putItem(b -> b.tableName(table).item(item)));
    }

    @Override
    public Page everyLiveCall(String cursor, int size) {
        return call("listing the live calls", () -> new CallPages(dynamo, table).everyLiveCall(cursor, size));
    }

    @Override
    public Page workersCalls(String workerSid, String cursor, int size) {
        return call("listing the worker's calls", () -> new CallPages(dynamo, table).workersCalls(workerSid, cursor, size));
    }

    static String liveShard(String taskSid) {
        return "live#" + Math.floorMod(taskSid.hashCode(), LIVE_SHARDS);
    }

    private static Map<String, AttributeValue> key(String taskSid) {
        return Map.of("pk", AttributeValue.fromS("TASK#" + taskSid), "sk", AttributeValue.fromS("CALL"));
    }
}
