package dev.callcontrol.http;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exponential backoff with full jitter, with its sleeps and randomness in the test's hands: nothing here waits. */
class BackoffTest {
    private final List<Long> bounds = new ArrayList<>();
    private final List<Long> sleeps = new ArrayList<>();
    private long spare = 60_000;

    private Backoff backoff(java.util.function.LongUnaryOperator jitter) {
        return new Backoff(20, 320, sleeps::add, bound -> {
            bounds.add(bound);
            return jitter.applyAsLong(bound);
        }, () -> spare);
    }

    @Test
    void theBoundDoublesUpToTheCap() {
        Backoff backoff = backoff(bound -> bound);
        for (int attempt = 1; attempt <= 8; attempt++) {
            assertTrue(backoff.pause(attempt, 100));
        }
        assertEquals(List.of(20L, 40L, 80L, 160L, 320L, 320L, 320L, 320L), bounds);
        assertEquals(bounds, sleeps, "a jitter that takes the bound waits the bound");
        assertEquals(320, backoff.bound(1_000), "no overflow however many attempts");
    }

    @Test
    void eachWaitIsDrawnFromZeroToItsBound() {
        Random random = new Random(18);
        Backoff backoff = backoff(bound -> random.nextLong(bound + 1));
        for (int attempt = 1; attempt <= 7; attempt++) {
            assertTrue(backoff.pause(attempt, 100));
        }
        for (int i = 0; i < sleeps.size(); i++) {
            assertTrue(sleeps.get(i) >= 0 && sleeps.get(i) <= bounds.get(i), "wait " + sleeps.get(i) + " within [0, " + bounds.get(i) + "]");
        }
        assertTrue(sleeps.stream().distinct().count() > 1, "jittered, not fixed: " + sleeps);
        assertTrue(!sleeps.equals(bounds), "full jitter does not always wait the bound: " + sleeps);
    }

    @Test
    void aJitterOutsideItsRangeIsKeptInside() {
        assertTrue(backoff(bound -> bound * 10).pause(3, 0));
        assertTrue(backoff(bound -> -5).pause(3, 0));
        assertEquals(List.of(80L, 0L), sleeps);
    }

    @Test
    void noWaitBeginsThatWouldLeaveTheNextAttemptTooLittle() {
        Backoff backoff = backoff(bound -> bound);
        spare = 250;
        assertTrue(backoff.pause(1, 200), "250 ms to spare, a 20 ms wait leaves 230 for the next attempt");
        assertFalse(backoff.pause(3, 200), "an 80 ms wait would leave 170: not begun");
        assertEquals(List.of(20L), sleeps, "and nothing slept");
    }

    @Test
    void anInterruptedWaitStopsTheRetriesAndKeepsTheInterrupt() {
        Backoff backoff = new Backoff(20, 320, millis -> {
            throw new InterruptedException();
        }, bound -> bound, () -> spare);
        try {
            assertFalse(backoff.pause(1, 0));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aBackoffNeedsAPositiveBaseUnderItsCap() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10, sleeps::add, b -> b, () -> spare));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(20, 10, sleeps::add, b -> b, () -> spare));
    }
}
