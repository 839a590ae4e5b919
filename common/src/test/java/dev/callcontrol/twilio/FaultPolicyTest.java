package dev.callcontrol.twilio;

import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.OutOfTime;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultPolicyTest {
    private final List<Long> bounds = new ArrayList<>();
    private final List<Long> sleeps = new ArrayList<>();
    /** What the invocation can spare for requests, its reserve excluded. */
    private long spare = 9_000;
    /** Jitter that takes the upper bound, so the schedule is visible. */
    private final FaultPolicy policy = new FaultPolicy(sleeps::add, bound -> {
        bounds.add(bound);
        return bound;
    }, () -> spare);

    private static ApiException status(int status, Integer code) {
        return new ApiException("Twilio says no", code, null, status, null, null, null, null);
    }

    /** Answers with each failure in turn, then with {@code value}; counts the attempts. */
    private static final class Script<T> implements Supplier<T> {
        final List<RuntimeException> failures;
        final T value;
        final AtomicInteger calls = new AtomicInteger();

        Script(T value, RuntimeException... failures) {
            this.value = value;
            this.failures = List.of(failures);
        }

        @Override
        public T get() {
            int n = calls.getAndIncrement();
            if (n < failures.size()) {
                throw failures.get(n);
            }
            return value;
        }
    }

    @Test
    void rateLimitedRequestsAreRetriedWithAnExponentialJitteredBackoff() {
        var request = new Script<>("ok", status(429, 20429), status(429, null), new ApiException("slow down", 20429, null, 400, null, null, null, null));
        assertEquals("ok", policy.run("holding", FaultPolicy.Kind.UPDATE, request));
        assertEquals(4, request.calls.get());
        assertEquals(List.of(100L, 200L, 400L), bounds, "the bound doubles each time");
        assertEquals(bounds, sleeps);
    }

    @Test
    void everyErrorTwilioAnswersIsCountedByItsCodeRetriedOrNot() {
        var metrics = new dev.callcontrol.testing.RecordedMetrics();
        FaultPolicy counting = policy.reportingTo(metrics);
        var request = new Script<>("ok", status(429, 20429), status(503, null),
                new com.twilio.exception.ApiConnectionException("no answer"));
        assertEquals("ok", counting.run("holding", FaultPolicy.Kind.UPDATE, request));
        assertThrows(CallControlException.class, () -> counting.run("removing", FaultPolicy.Kind.DELETE, new Script<>("ok", status(400, 21220))));
        assertEquals(List.of("20429", "http_503", "no_answer", "21220"),
                metrics.named(dev.callcontrol.metrics.CallMetrics.TWILIO_ERRORS).stream()
                        .map(m -> m.dimensions().get(dev.callcontrol.metrics.CallMetrics.ERROR_CODE)).toList());
        assertEquals("ok", counting.run("reading", FaultPolicy.Kind.READ, new Script<>("ok")));
        assertEquals(4, metrics.all().size(), "a request that succeeds counts nothing");
    }

    @Test
    void theBackoffIsCappedAndTheAttemptsAreCounted() {
        var request = new Script<>("ok", status(429, null), status(429, null), status(429, null), status(429, null), status(429, null));
        CallControlException e = assertThrows(CallControlException.class, () -> policy.run("reading", FaultPolicy.Kind.READ, request));
        assertEquals(503, e.status());
        assertEquals("twilio_rate_limited", e.code());
        assertEquals(FaultPolicy.MAX_ATTEMPTS, request.calls.get());
        assertTrue(bounds.stream().allMatch(b -> b <= FaultPolicy.CAP_MILLIS), bounds.toString());
    }

    @Test
    void aRateLimitedCreateIsSentAgainWithoutALookup() {
        var lookups = new AtomicInteger();
        var request = new Script<>("WT1", status(429, 20429));
        assertEquals("WT1", policy.create("creating a task", request, () -> {
            lookups.incrementAndGet();
            return Optional.empty();
        }));
        assertEquals(2, request.calls.get());
        assertEquals(0, lookups.get(), "a 429 was never processed");
    }

    @Test
    void idempotentRequestsThatGotNoAnswerAreRetried() {
        var request = new Script<>(true, new ApiConnectionException("reset"), new ApiException("timed out", new IOException("read timed out")));
        assertTrue(policy.run("removing a participant", FaultPolicy.Kind.DELETE, request));
        assertEquals(3, request.calls.get());
    }

    @Test
    void anUnansweredCreateThatTookEffectIsNotSentAgain() {
        var request = new Script<>("CA-second", new ApiConnectionException("reset"));
        assertEquals("CA-first", policy.create("dialling", request, () -> Optional.of("CA-first")));
        assertEquals(1, request.calls.get());
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void aCreateAnswered500IsLookedForThenSentAgainOnlyWhenNothingWasMade() {
        var lookups = new AtomicInteger();
        var request = new Script<>("WT2", status(500, 20500));
        assertEquals("WT2", policy.create("creating a task", request, () -> {
            lookups.incrementAndGet();
            return Optional.empty();
        }));
        assertEquals(2, request.calls.get());
        assertEquals(1, lookups.get());
    }

    @Test
    void aCreateWhoseLookupFailsIsNeverSentAgain() {
        var request = new Script<>("CA2", new ApiConnectionException("reset"));
        var lookup = new Script<Optional<String>>(Optional.empty(), status(500, 20500), status(500, 20500), status(500, 20500), status(500, 20500),
                status(500, 20500));
        CallControlException e = assertThrows(CallControlException.class, () -> policy.create("dialling", request, lookup));
        assertEquals(502, e.status());
        assertEquals(1, request.calls.get(), "it cannot be known whether the first took effect");
    }

    @Test
    void aLookupIsItselfRetriedWhenItGetsNoAnswer() {
        var request = new Script<>("CA2", new ApiConnectionException("reset"));
        var lookup = new Script<>(Optional.of("CA1"), new ApiConnectionException("reset"));
        assertEquals("CA1", policy.create("dialling", request, lookup));
        assertEquals(2, lookup.calls.get());
    }

    @Test
    void otherFailuresAreTypedAndNotRetried() {
        for (var c : List.of(new Object[]{status(400, 21220), 409, "twilio_refused"}, new Object[]{status(401, 20003), 502, "twilio_credentials"},
                new Object[]{status(403, 20003), 502, "twilio_credentials"})) {
            var request = new Script<>("ok", (RuntimeException) c[0]);
            CallControlException e = assertThrows(CallControlException.class, () -> policy.run("updating", FaultPolicy.Kind.UPDATE, request));
            assertEquals(c[1], e.status());
            assertEquals(c[2], e.code());
            assertEquals(1, request.calls.get());
        }
    }

    @Test
    void serverErrorsOnIdempotentRequestsAreRetriedThenTyped() {
        var transient500 = new Script<>(true, status(500, 20500), status(503, 20503));
        assertTrue(policy.run("canceling a task", FaultPolicy.Kind.UPDATE, transient500));
        assertEquals(3, transient500.calls.get());
        var lasting = new Script<>(true, status(500, 20500), status(500, 20500), status(500, 20500), status(500, 20500), status(500, 20500));
        CallControlException e = assertThrows(CallControlException.class, () -> policy.run("canceling a task", FaultPolicy.Kind.UPDATE, lasting));
        assertEquals(502, e.status());
        assertEquals("twilio_unavailable", e.code());
        assertEquals(FaultPolicy.MAX_ATTEMPTS, lasting.calls.get());
    }

    @Test
    void noRetryStartsWithoutTimeForIt() {
        spare = FaultPolicy.RETRY_MINIMUM_MILLIS + 50;
        var request = new Script<>("ok", status(429, 20429));
        CallControlException e = assertThrows(CallControlException.class, () -> policy.run("holding", FaultPolicy.Kind.UPDATE, request));
        assertEquals(503, e.status());
        assertEquals(1, request.calls.get());
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void aWaitNeverReachesIntoTheReserve() {
        // 1,150 ms to spare: the first wait (up to 100 ms) leaves a retry its second; the next (200 ms) would not.
        spare = FaultPolicy.RETRY_MINIMUM_MILLIS + 150;
        var request = new Script<>("ok", status(429, 20429), status(429, 20429));
        assertThrows(CallControlException.class, () -> policy.run("holding", FaultPolicy.Kind.UPDATE, request));
        assertEquals(2, request.calls.get());
        assertEquals(List.of(100L), sleeps);
    }

    @Test
    void aRequestWithNoTimeLeftIsOutOfTimeAndReleasesTheReserve() {
        Deadline.within(10_000, () -> {
            var request = new Script<>("ok", OutOfTime.beforeSending("asking Twilio"));
            OutOfTime e = assertThrows(OutOfTime.class, () -> policy.run("holding", FaultPolicy.Kind.UPDATE, request));
            assertEquals(504, e.status());
            assertEquals("out_of_time", e.code());
            assertEquals(1, request.calls.get(), "nothing to retry: nothing was sent");
            assertTrue(Deadline.reserveReleased(), "what the caller does next may use the reserve");
            return null;
        });
    }

    @Test
    void aRequestThatFailsForGoodReleasesTheReserveAndOneThatSucceedsDoesNot() {
        Deadline.within(10_000, () -> {
            assertEquals("ok", policy.run("holding", FaultPolicy.Kind.UPDATE, new Script<>("ok", status(429, 20429))));
            assertFalse(Deadline.reserveReleased());
            assertThrows(CallControlException.class, () -> policy.run("holding", FaultPolicy.Kind.UPDATE, new Script<>("ok", status(400, 21220))));
            assertTrue(Deadline.reserveReleased());
            return null;
        });
    }

    @Test
    void unansweredIsA504AndRefusalsKeepNoPhoneNumber() {
        var silent = new Script<>("ok", new ApiConnectionException("reset"), new ApiConnectionException("reset"), new ApiConnectionException("reset"),
                new ApiConnectionException("reset"), new ApiConnectionException("reset"));
        assertEquals(504, assertThrows(CallControlException.class, () -> policy.run("fetching", FaultPolicy.Kind.READ, silent)).status());
        var refused = new Script<>("ok", new ApiException("The 'To' number +14155550123 is not a valid phone number.", 21211, null, 400, null, null, null, null));
        CallControlException e = assertThrows(CallControlException.class, () -> policy.run("updating", FaultPolicy.Kind.UPDATE, refused));
        assertTrue(e.getMessage().contains("+14*******23") && !e.getMessage().contains("+14155550123"), e.getMessage());
    }

    @Test
    void theStandardPolicyKeepsItsJitterWithinTheBound() {
        var request = new Script<>("ok", status(429, 20429));
        assertEquals("ok", FaultPolicy.standard().run("reading", FaultPolicy.Kind.READ, request));
    }
}
