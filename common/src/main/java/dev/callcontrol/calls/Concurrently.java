package dev.callcontrol.calls;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Runs independent Twilio requests side by side, so that an operation costs as many round trips
 * as it has dependent steps. Each outcome is kept, failures included, so that the caller can undo
 * exactly what succeeded.
 */
final class Concurrently {
    /** Virtual threads: blocking REST calls cost no platform thread, and nothing is pooled across invocations. */
    private static final ExecutorService THREADS = Executors.newVirtualThreadPerTaskExecutor();

    /** What one request produced: a value, or the failure it raised. */
    record Outcome<T>(T value, RuntimeException failure) {
        boolean ok() {
            return failure == null;
        }
    }

    record Pair<A, B>(Outcome<A> first, Outcome<B> second) {
    }

    private Concurrently() {
    }

    static <A, B> Pair<A, B> run(Supplier<A> first, Supplier<B> second) {
        CompletableFuture<A> a = CompletableFuture.supplyAsync(first, THREADS);
        Outcome<B> b = outcome(second);
        return new Pair<>(join(a), b);
    }

    private static <T> Outcome<T> outcome(Supplier<T> work) {
        try {
            return new Outcome<>(work.get(), null);
        } catch (RuntimeException e) {
            return new Outcome<>(null, e);
        }
    }

    private static <T> Outcome<T> join(CompletableFuture<T> future) {
        try {
            return new Outcome<>(future.join(), null);
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                return new Outcome<>(null, runtime);
            }
            if (cause instanceof Error error) {
                throw error;
            }
            return new Outcome<>(null, new IllegalStateException(cause));
        }
    }
}
