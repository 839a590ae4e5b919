package dev.callcontrol.store;

import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.testing.DynamoDbEngines;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Call records: versioned writes that never lose a concurrent change, and a TTL on every item. */
class CallStoreTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    /**
     * Today, to the second: DynamoDB Local honours the table's TTL, so a fixed date in the past
     * would see each record expire under the test once that date is two days gone.
     */
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void aWriterThatReadAnOldVersionLoses(DynamoDbEngines.Source source) {
        var engine = source.get();
        CallStore store = new CallStore(engine.client(), engine.createCallsTable(), Clock.fixed(NOW, ZoneOffset.UTC));
        CallRecord first = new CallRecord(TASK);
        assertTrue(store.write(first, false));
        CallRecord stale = store.find(TASK).orElseThrow();
        CallRecord fresh = store.find(TASK).orElseThrow();
        fresh.conferenceSid = "CF0123456789abcdef0123456789abcdef";
        assertTrue(store.write(fresh, true));
        stale.status = "ended";
        assertFalse(store.write(stale, true), "a write based on an old version is refused");
        assertFalse(store.write(new CallRecord(TASK), false), "a second create is refused");
        CallRecord stored = store.find(TASK).orElseThrow();
        assertEquals("active", stored.status);
        assertEquals("CF0123456789abcdef0123456789abcdef", stored.conferenceSid);
        assertEquals(2, stored.version);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void concurrentUpdatesAllLand(DynamoDbEngines.Source source) throws Exception {
        var engine = source.get();
        String table = engine.createCallsTable();
        CallStore store = new CallStore(engine.client(), table, Clock.fixed(NOW, ZoneOffset.UTC));
        int writers = 6;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String leg = String.format("CA%032x", i);
            done.add(pool.submit(() -> {
                start.await();
                return store.update(TASK, () -> new CallRecord(TASK), record -> {
                    CallRecord.Leg added = new CallRecord.Leg();
                    added.callSid = leg;
                    added.role = dev.callcontrol.calls.Role.OTHER;
                    record.legs.put(leg, added);
                    return true;
                });
            }));
        }
        start.countDown();
        for (Future<?> future : done) {
            future.get();
        }
        pool.shutdown();
        assertEquals(writers, store.find(TASK).orElseThrow().legs.size(), "no writer's change was lost");
        Map<String, AttributeValue> item = engine.client().getItem(b -> b.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("TASK#" + TASK), "sk", AttributeValue.fromS("CALL")))).item();
        assertEquals(String.valueOf(NOW.plus(CallStore.RETENTION).getEpochSecond()), item.get("expiresAt").n());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void aCallStaysInTheLiveIndexUntilItEndedAndItsTasksAreSettled(DynamoDbEngines.Source source) {
        var engine = source.get();
        CallStore store = new CallStore(engine.client(), engine.createCallsTable(), Clock.fixed(NOW, ZoneOffset.UTC));
        store.update(TASK, () -> new CallRecord(TASK), record -> true);
        store.alias("WT0123456789abcdef0123456789abcde0", TASK);
        assertEquals(List.of(TASK), store.live().stream().map(e -> e.taskSid()).toList(), "a running call is live; an alias never is");

        store.update(TASK, () -> null, record -> {
            record.status = "ended";
            return true;
        });
        assertEquals(List.of(TASK), store.live().stream().map(e -> e.taskSid()).toList(), "ended, its tasks not yet seen to move on");

        store.update(TASK, () -> null, record -> {
            record.settledAt = NOW.toString();
            return true;
        });
        assertEquals(List.of(), store.live(), "ended and settled: out of the index");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void theReconcilersCursorIsKeptOutsideTheLiveIndex(DynamoDbEngines.Source source) {
        var engine = source.get();
        CallStore store = new CallStore(engine.client(), engine.createCallsTable(), Clock.fixed(NOW, ZoneOffset.UTC));
        assertTrue(store.cursor().isEmpty());
        store.cursor(TASK);
        assertEquals(java.util.Optional.of(TASK), store.cursor());
        assertEquals(List.of(), store.live(), "the cursor is no live call");
    }
}
