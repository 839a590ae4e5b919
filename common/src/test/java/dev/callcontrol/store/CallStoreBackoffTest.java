package dev.callcontrol.store;

import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.http.Backoff;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.OutOfTime;
import dev.callcontrol.testing.DynamoDbEngines;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A conditional write that loses its race is tried again from a fresh read after a wait that grows,
 * is jittered and never reaches into the invocation's reserve. The races are real (another writer
 * changes the record in DynamoDB Local between the read and the write); the waits are recorded, not
 * slept.
 */
class CallStoreBackoffTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";

    private final List<Long> bounds = new ArrayList<>();
    private final List<Long> sleeps = new ArrayList<>();
    private final Random random = new Random(4);
    private long spare = 60_000;
    private CallStore store;
    private CallStore rival;

    @BeforeEach
    void table() {
        var engine = DynamoDbEngines.embedded();
        String table = engine.createCallsTable();
        Backoff recorded = new Backoff(CallStore.BACKOFF_BASE_MILLIS, CallStore.BACKOFF_CAP_MILLIS, sleeps::add, bound -> {
            bounds.add(bound);
            return random.nextLong(bound + 1);
        }, () -> spare);
        store = new CallStore(engine.client(), table, Clock.systemUTC(), recorded);
        rival = new CallStore(engine.client(), table, Clock.systemUTC());
        assertTrue(rival.write(new CallRecord(TASK), false));
    }

    /** A change that loses {@code losses} races: each time, another writer changes the record after it was read. */
    private boolean changeLosing(int losses, AtomicInteger tries, CallRecord record) {
        if (tries.incrementAndGet() <= losses) {
            rival.update(TASK, () -> null, other -> {
                other.queue = "moved-" + tries.get();
                return true;
            });
        }
        record.conferenceSid = "CF0123456789abcdef0123456789abcdef";
        return true;
    }

    @Test
    void eachLostRaceWaitsLongerWithJitterUpToTheCap() {
        AtomicInteger tries = new AtomicInteger();
        CallRecord written = store.update(TASK, () -> null, record -> changeLosing(6, tries, record)).orElseThrow();
        assertEquals("CF0123456789abcdef0123456789abcdef", written.conferenceSid);
        assertEquals("moved-6", written.queue, "written over the rival's last change, not over it");
        assertEquals(7, tries.get());
        assertEquals(List.of(20L, 40L, 80L, 160L, 320L, 320L), bounds, "the bound doubles from 20 ms and stops at 320 ms");
        assertEquals(6, sleeps.size(), "one wait per lost race");
        for (int i = 0; i < sleeps.size(); i++) {
            assertTrue(sleeps.get(i) >= 0 && sleeps.get(i) <= bounds.get(i), sleeps + " within " + bounds);
        }
        assertTrue(!sleeps.equals(bounds), "full jitter, not the bound itself: " + sleeps);
    }

    @Test
    void afterTheLastAttemptItGivesUpWithoutAnotherWait() {
        AtomicInteger tries = new AtomicInteger();
        assertThrows(IllegalStateException.class, () -> store.update(TASK, () -> null, record -> changeLosing(100, tries, record)));
        assertEquals(CallStore.ATTEMPTS, tries.get());
        assertEquals(CallStore.ATTEMPTS - 1, sleeps.size());
    }

    @Test
    void aWaitThatWouldReachIntoTheReserveIsNotBegun() {
        // 250 ms to spare: a wait is begun only if it leaves the next read and write their 200 ms; the first drawn over 50 ms is not.
        spare = CallStore.NEXT_ATTEMPT_MILLIS + 50;
        AtomicInteger tries = new AtomicInteger();
        Deadline.within(10_000, () -> {
            OutOfTime e = assertThrows(OutOfTime.class, () -> store.update(TASK, () -> null, record -> changeLosing(100, tries, record)));
            assertEquals(504, e.status());
            assertEquals("out_of_time", e.code());
            assertTrue(Deadline.reserveReleased(), "what the caller does next (undoing, answering) may use the reserve");
            return null;
        });
        for (int i = 0; i < sleeps.size(); i++) {
            assertTrue(spare - sleeps.get(i) >= CallStore.NEXT_ATTEMPT_MILLIS, "slept " + sleeps.get(i) + " of " + spare);
        }
        assertEquals(bounds.size(), sleeps.size() + 1, "the last wait drawn was the one not begun");
        assertTrue(tries.get() < CallStore.ATTEMPTS, "stopped before its attempts ran out: " + tries.get());
        assertTrue(store.find(TASK).orElseThrow().conferenceSid == null, "its change was never written");
    }
}
