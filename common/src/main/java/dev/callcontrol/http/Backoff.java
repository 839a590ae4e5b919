package dev.callcontrol.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

/**
 * The wait between two attempts of a request: exponential backoff with full jitter (a random wait
 * from zero to a bound that doubles each time, up to a cap), never into the invocation's reserve. A
 * wait that would leave the next attempt less than it needs is not begun, so the caller stops there.
 */
public final class Backoff {
    /** Sleeps; a test's records the waits instead. */
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final long baseMillis;
    private final long capMillis;
    private final Sleeper sleeper;
    private final LongUnaryOperator jitter;
    private final LongSupplier spareMillis;

    /**
     * @param jitter      a wait from 0 to the bound it is given, both included
     * @param spareMillis the time the invocation's requests may still use ({@link Deadline#spareMillis()})
     */
    public Backoff(long baseMillis, long capMillis, Sleeper sleeper, LongUnaryOperator jitter, LongSupplier spareMillis) {
        if (baseMillis <= 0 || capMillis < baseMillis) {
            throw new IllegalArgumentException("a backoff needs 0 < base <= cap");
        }
        this.baseMillis = baseMillis;
        this.capMillis = capMillis;
        this.sleeper = sleeper;
        this.jitter = jitter;
        this.spareMillis = spareMillis;
    }

    /** Real sleeps, uniform jitter, and the running invocation's deadline. */
    public static Backoff standard(long baseMillis, long capMillis) {
        return new Backoff(baseMillis, capMillis, Thread::sleep, bound -> ThreadLocalRandom.current().nextLong(bound + 1), Deadline::spareMillis);
    }

    /** The most the wait after attempt {@code attempt} (1 for the first) may be: base, doubled each time, capped. */
    public long bound(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 30));
        return Math.min(capMillis, baseMillis << doublings);
    }

    /**
     * Waits before the attempt after {@code attempt}. False, without waiting, when the wait would
     * leave less than {@code nextAttemptMillis} of the invocation's spare time for that attempt, or
     * when the thread is interrupted.
     */
    public boolean pause(int attempt, long nextAttemptMillis) {
        long bound = bound(attempt);
        long wait = Math.max(0, Math.min(bound, jitter.applyAsLong(bound)));
        if (spareMillis.getAsLong() - wait < nextAttemptMillis) {
            return false;
        }
        try {
            sleeper.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
