package dev.callcontrol.http;

import com.amazonaws.services.lambda.runtime.Context;

import java.util.function.Supplier;

/**
 * How long the running invocation has left, from the Lambda context, and how much of it a request
 * may take. Retries read it so that a backoff never outlives the function: an answer that arrives
 * after the timeout helps nobody. The deadline is inherited by the virtual threads an operation
 * starts for its parallel requests, and so is what they do to it ({@link #releaseReserve()}).
 *
 * <p>The last {@link #RESERVE_MILLIS} of an invocation are kept back from the requests that move an
 * operation forward: they are for undoing what a failed step left half-done (a transfer task
 * canceled, the customer resumed, the record's claim cleared) and for answering. Once the invocation
 * turns to that ({@link #releaseReserve()}: a request failed for good, or a follow-up begins), its
 * requests may use the reserve too, all but the last {@link #ANSWER_MILLIS}, which no request ever
 * gets, so that the function always answers before Lambda ends it. docs/decisions.md, "Every request
 * fits in the invocation", has the arithmetic.
 */
public final class Deadline {
    /** What an invocation without a Lambda context (a unit test, a script) is given. */
    static final long DEFAULT_MILLIS = 10_000;
    /** Kept back from every request that moves an operation forward: the undo steps' time and the answer's. */
    public static final long RESERVE_MILLIS = 5_000;
    /** Never given to a request: the time to answer once the last request has ended. */
    public static final long ANSWER_MILLIS = 500;
    /** Less than this is no request at all: one is not started, and the caller gets {@link OutOfTime}. */
    public static final long MIN_REQUEST_MILLIS = 100;

    /** One invocation's deadline, shared by the threads it starts. */
    private static final class Budget {
        final long endNanos;
        final long reserveMillis;
        volatile boolean reserveReleased;

        Budget(long millis, long reserveMillis) {
            this.endNanos = System.nanoTime() + millis * 1_000_000;
            this.reserveMillis = reserveMillis;
        }
    }

    private static final InheritableThreadLocal<Budget> CURRENT = new InheritableThreadLocal<>();

    private Deadline() {
    }

    /** Runs one invocation with the context's remaining time as its deadline. */
    public static <T> T within(Context context, Supplier<T> work) {
        long millis = context == null || context.getRemainingTimeInMillis() <= 0 ? DEFAULT_MILLIS : context.getRemainingTimeInMillis();
        return within(millis, work);
    }

    public static <T> T within(long millis, Supplier<T> work) {
        return within(millis, RESERVE_MILLIS, work);
    }

    /** With a reserve of the caller's choosing: tests that want a short invocation with a short reserve. */
    public static <T> T within(long millis, long reserveMillis, Supplier<T> work) {
        if (reserveMillis < ANSWER_MILLIS) {
            throw new IllegalArgumentException("the reserve holds the answer's " + ANSWER_MILLIS + " ms at least");
        }
        Budget outer = CURRENT.get();
        CURRENT.set(new Budget(millis, reserveMillis));
        try {
            return work.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /** Milliseconds left in this invocation (never negative). */
    public static long remainingMillis() {
        Budget budget = CURRENT.get();
        if (budget == null) {
            return DEFAULT_MILLIS;
        }
        return Math.max(0, (budget.endNanos - System.nanoTime()) / 1_000_000);
    }

    /**
     * Milliseconds the invocation's requests may still use (never negative): up to the reserve while
     * the operation goes forward, up to the answer's margin once the reserve is released. Outside an
     * invocation (a tool, a test's set-up, the local runtime creating its tables) there is no
     * deadline, and only each request's own ceiling bounds it.
     */
    public static long spareMillis() {
        Budget budget = CURRENT.get();
        if (budget == null) {
            return Long.MAX_VALUE;
        }
        long keep = budget.reserveReleased ? ANSWER_MILLIS : budget.reserveMillis;
        return Math.max(0, remainingMillis() - keep);
    }

    /** How long a request started now may take: its own ceiling, or less when the invocation has less to spare. */
    public static long requestMillis(long ceilingMillis) {
        return Math.min(ceilingMillis, spareMillis());
    }

    /**
     * From now on this invocation's requests may use the reserve: a request has failed for good, and
     * what follows undoes, follows up or answers. Seen by every thread of the invocation; a no-op
     * outside one.
     */
    public static void releaseReserve() {
        Budget budget = CURRENT.get();
        if (budget != null) {
            budget.reserveReleased = true;
        }
    }

    /** Whether {@link #releaseReserve()} has been called in this invocation. */
    public static boolean reserveReleased() {
        Budget budget = CURRENT.get();
        return budget != null && budget.reserveReleased;
    }
}
