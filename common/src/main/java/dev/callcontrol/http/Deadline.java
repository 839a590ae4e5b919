package dev.callcontrol.http;

import com.amazonaws.services.lambda.runtime.Context;

import java.util.function.Supplier;

/**
 * How long the running invocation has left, from the Lambda context. Retries read it so that a
 * backoff never outlives the function: an answer that arrives after the timeout helps nobody.
 * The deadline is inherited by the virtual threads an operation starts for its parallel requests.
 */
public final class Deadline {
    /** What an invocation without a Lambda context (a unit test, a script) is given. */
    static final long DEFAULT_MILLIS = 10_000;
    private static final InheritableThreadLocal<Long> DEADLINE_NANOS = new InheritableThreadLocal<>();

    private Deadline() {
    }

    /** Runs one invocation with the context's remaining time as its deadline. */
    public static <T> T within(Context context, Supplier<T> work) {
        long millis = context == null || context.getRemainingTimeInMillis() <= 0 ? DEFAULT_MILLIS : context.getRemainingTimeInMillis();
        return within(millis, work);
    }

    public static <T> T within(long millis, Supplier<T> work) {
        Long outer = DEADLINE_NANOS.get();
        DEADLINE_NANOS.set(System.nanoTime() + millis * 1_000_000);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                DEADLINE_NANOS.remove();
            } else {
                DEADLINE_NANOS.set(outer);
            }
        }
    }

    /** Milliseconds left in this invocation (never negative). */
    public static long remainingMillis() {
        Long deadline = DEADLINE_NANOS.get();
        if (deadline == null) {
            return DEFAULT_MILLIS;
        }
        return Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
    }
}
