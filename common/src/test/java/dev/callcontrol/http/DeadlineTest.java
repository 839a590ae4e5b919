package dev.callcontrol.http;

import org.junit.jupiter.api.Test;

import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a request may take: the invocation's time less the reserve, then less only the answer's margin once the reserve is released. */
class DeadlineTest {
    @Test
    void forwardRequestsMaySpendEverythingButTheReserve() {
        Deadline.within(10_000, 2_000, () -> {
            long spare = Deadline.spareMillis();
            assertTrue(spare <= 8_000 && spare > 7_000, "10 s less a 2 s reserve: " + spare);
            assertEquals(3_000, Deadline.requestMillis(3_000), "a ceiling below what can be spared stands");
            assertTrue(Deadline.requestMillis(60_000) <= 8_000, "a ceiling above it is cut to it");
            assertFalse(Deadline.reserveReleased());
            return null;
        });
    }

    @Test
    void onceReleasedTheReserveIsSpentAllButTheAnswersMargin() {
        Deadline.within(10_000, 2_000, () -> {
            Deadline.releaseReserve();
            long spare = Deadline.spareMillis();
            assertTrue(spare <= 10_000 - Deadline.ANSWER_MILLIS && spare > 9_000 - Deadline.ANSWER_MILLIS, "released: " + spare);
            assertTrue(Deadline.reserveReleased());
            return null;
        });
    }

    @Test
    void theThreadsOfAnInvocationShareItsDeadlineAndItsRelease() throws Exception {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Deadline.within(10_000, 2_000, () -> {
                try {
                    long seen = threads.submit(Deadline::spareMillis).get();
                    assertTrue(seen <= 8_000 && seen > 7_000, "a thread started by the invocation sees its deadline: " + seen);
                    threads.submit(Deadline::releaseReserve).get();
                    assertTrue(Deadline.reserveReleased(), "a release in a parallel request is the invocation's");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return null;
            });
        }
    }

    @Test
    void nestedDeadlinesRestoreTheOuterOneAndNothingLeaksPastTheInvocation() {
        Deadline.within(10_000, 2_000, () -> {
            Deadline.within(1_000, 600, () -> {
                assertTrue(Deadline.spareMillis() <= 400);
                Deadline.releaseReserve();
                return null;
            });
            assertFalse(Deadline.reserveReleased(), "the inner invocation's release stays there");
            assertTrue(Deadline.spareMillis() > 7_000);
            return null;
        });
        assertEquals(Deadline.DEFAULT_MILLIS, Deadline.remainingMillis(), "outside an invocation: the default");
        assertEquals(3_000, Deadline.requestMillis(3_000), "and no deadline: only a request's own ceiling bounds it");
        Deadline.releaseReserve();
        assertFalse(Deadline.reserveReleased(), "a release outside an invocation changes nothing");
    }

    @Test
    void anInvocationWithoutALambdaContextGetsTheDefault() {
        Deadline.within((com.amazonaws.services.lambda.runtime.Context) null, () -> {
            long spare = Deadline.spareMillis();
            assertTrue(spare <= Deadline.DEFAULT_MILLIS - Deadline.RESERVE_MILLIS && spare > Deadline.DEFAULT_MILLIS - Deadline.RESERVE_MILLIS - 1_000, "" + spare);
            return null;
        });
    }

    @Test
    void anExhaustedDeadlineSparesNothing() {
        Deadline.within(0, 1_000, () -> {
            assertEquals(0, Deadline.remainingMillis());
            assertEquals(0, Deadline.spareMillis());
            assertEquals(0, Deadline.requestMillis(3_000));
            return null;
        });
    }

    @Test
    void theReserveAlwaysHoldsTheAnswer() {
        assertThrows(IllegalArgumentException.class, () -> Deadline.within(10_000, Deadline.ANSWER_MILLIS - 1, () -> null));
    }
}
