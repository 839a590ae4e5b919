package dev.callcontrol.store;

import dev.callcontrol.calls.CallListing;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.Role;
import dev.callcontrol.testing.DynamoDbEngines;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /calls}'s reads: a worker's calls follow who is on each call (entries written with the
 * record in one transaction, none left behind), and every live call comes a page at a time, each
 * once, through the live index's shards.
 */
class CallListingTest {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String ALICE = "WK000000000000000000000000000000a1";
    private static final String BOB = "WK000000000000000000000000000000b0";

    private static List<String> tasks(CallListing.Page page) {
        return page.calls().stream().map(call -> call.taskSid).toList();
    }

    private static CallRecord.Leg agentLeg(CallRecord call, String callSid, String workerSid) {
        CallRecord.Leg leg = new CallRecord.Leg();
        leg.callSid = callSid;
        leg.role = Role.AGENT;
        leg.workerSid = workerSid;
        leg.present = true;
        call.legs.put(callSid, leg);
        return leg;
    }

    /** The worker entries the table holds, as worker → task. */
    private static Set<String> entries(DynamoDbClient dynamo, String table, String... workers) {
        Set<String> out = new TreeSet<>();
        for (String worker : workers) {
            dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("WORKER#" + worker))))
                    .items().forEach(item -> out.add(worker + "->" + item.get("sk").s()));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void aWorkersCallsFollowWhoIsOnTheCall(DynamoDbEngines.Source source) {
        var engine = source.get();
        String table = engine.createCallsTable();
        CallStore store = new CallStore(engine.client(), table, Clock.fixed(NOW, ZoneOffset.UTC));
        store.update(TASK, () -> new CallRecord(TASK), call -> {
            call.conferenceSid = "CF0123456789abcdef0123456789abcdef";
            call.workerSid = ALICE;
            call.agentCallSid = "CA000000000000000000000000000000a1";
            agentLeg(call, call.agentCallSid, ALICE);
            return true;
        });
        assertEquals(List.of(TASK), tasks(store.workersCalls(ALICE, null, 10)));
        assertEquals(List.of(), tasks(store.workersCalls(BOB, null, 10)));

        // Alice starts a cold transfer to Bob and leaves: both have the call until Bob joins.
        store.update(TASK, () -> null, call -> {
            call.transfer = new CallRecord.Transfer();
            call.transfer.state = "routing";
            call.transfer.target = "worker";
            call.transfer.to = BOB;
            call.transfer.fromWorkerSid = ALICE;
            call.legs.get(call.agentCallSid).present = false;
            return true;
        });
        assertEquals(List.of(TASK), tasks(store.workersCalls(ALICE, null, 10)));
        assertEquals(List.of(TASK), tasks(store.workersCalls(BOB, null, 10)));

        store.update(TASK, () -> null, call -> {
            call.transfer = null;
            call.workerSid = BOB;
            call.agentCallSid = "CA000000000000000000000000000000b0";
            agentLeg(call, call.agentCallSid, BOB);
            return true;
        });
        assertEquals(List.of(), tasks(store.workersCalls(ALICE, null, 10)));
        assertEquals(List.of(TASK), tasks(store.workersCalls(BOB, null, 10)));
        assertEquals(Set.of(BOB + "->CALL#" + TASK), entries(engine.client(), table, ALICE, BOB));

        // Ended and settled: out of every listing, and no entry left behind.
        store.update(TASK, () -> null, call -> {
            call.status = "ended";
            call.legs.values().forEach(leg -> leg.present = false);
            call.settledAt = NOW.toString();
            return true;
        });
        assertEquals(List.of(), tasks(store.workersCalls(BOB, null, 10)));
        assertEquals(List.of(), tasks(store.everyLiveCall(null, 10)));
        assertEquals(Set.of(), entries(engine.client(), table, ALICE, BOB));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void agentsJoiningAtOnceAreAllListed(DynamoDbEngines.Source source) throws Exception {
        var engine = source.get();
        CallStore store = new CallStore(engine.client(), engine.createCallsTable(), Clock.fixed(NOW, ZoneOffset.UTC));
        store.update(TASK, () -> new CallRecord(TASK), call -> true);
        int writers = 5;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String worker = String.format("WK%032x", i + 1);
            String leg = String.format("CA%032x", i + 1);
            done.add(pool.submit(() -> {
                start.await();
                // Each write changes who is on the call, so each is a transaction; the losers retry from a fresh read.
                return store.update(TASK, () -> null, call -> {
                    agentLeg(call, leg, worker);
                    return true;
                });
            }));
        }
        start.countDown();
        for (Future<?> future : done) {
            future.get();
        }
        pool.shutdown();
        for (int i = 0; i < writers; i++) {
            assertEquals(List.of(TASK), tasks(store.workersCalls(String.format("WK%032x", i + 1), null, 10)), "worker " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void everyLiveCallComesOncePageByPage(DynamoDbEngines.Source source) {
        var engine = source.get();
        CallStore store = new CallStore(engine.client(), engine.createCallsTable(), Clock.fixed(NOW, ZoneOffset.UTC));
        Set<String> live = new TreeSet<>();
        for (int i = 0; i < 30; i++) {
            String task = String.format("WT%032x", 0x1000 + i);
            boolean settled = i % 10 == 9;
            store.update(task, () -> new CallRecord(task), call -> {
                if (settled) {
                    call.status = "ended";
                    call.settledAt = NOW.toString();
                }
                return true;
            });
            if (!settled) {
                live.add(task);
            }
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            CallListing.Page page = store.everyLiveCall(cursor, 4);
            assertTrue(page.calls().size() <= 4);
            seen.addAll(tasks(page));
            cursor = page.next();
            pages++;
        } while (cursor != null && pages < 20);
        assertEquals(live, new TreeSet<>(seen), "every live call and no other");
        assertEquals(seen.size(), new HashSet<>(seen).size(), "each once");
        assertEquals(seen, tasks(store.everyLiveCall(null, 100)), "in the same order as one page");
        assertTrue(store.everyLiveCall(null, 100).next() == null, "one page of 100 is the last");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void aCursorFromElsewhereIsRefused(DynamoDbEngines.Source source) {
        var engine = source.get();
        CallStore store = new CallStore(engine.client(), engine.createCallsTable(), Clock.fixed(NOW, ZoneOffset.UTC));
        for (int i = 0; i < 3; i++) {
            String task = String.format("WT%032x", 0x2000 + i);
            String leg = String.format("CA%032x", 0x2000 + i);
            store.update(task, () -> new CallRecord(task), call -> {
                call.workerSid = ALICE;
                call.agentCallSid = leg;
                agentLeg(call, leg, ALICE);
                return true;
            });
        }
        CallListing.Page first = store.workersCalls(ALICE, null, 2);
        assertEquals(2, first.calls().size());
        assertEquals(1, store.workersCalls(ALICE, first.next(), 2).calls().size());
        assertThrows(CallListing.BadCursor.class, () -> store.workersCalls(BOB, first.next(), 2), "alice's cursor is not bob's");
        assertThrows(CallListing.BadCursor.class, () -> store.everyLiveCall(first.next(), 2), "nor the supervisors'");
        String everyCursor = store.everyLiveCall(null, 1).next();
        assertThrows(CallListing.BadCursor.class, () -> store.workersCalls(ALICE, everyCursor, 2));
        for (String bad : List.of("", "bm9wZQ", "!!!", "bGl2ZTo5OTpXVDAw")) {
            assertThrows(CallListing.BadCursor.class, () -> store.everyLiveCall(bad, 2), bad);
        }
    }
}
