package dev.callcontrol.config;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value built on first use, once, however many threads ask: how a function builds a client its
 * path may never need, so a cold start that does not need it does not pay for it.
 */
public final class Lazy<T> implements Supplier<T> {
    private final Supplier<? extends T> build;
    private volatile T value;

    private Lazy(Supplier<? extends T> build) {
        this.build = Objects.requireNonNull(build);
    }

    public static <T> Lazy<T> of(Supplier<? extends T> build) {
        return new Lazy<>(build);
    }

    /** A value that is already built. */
    public static <T> Lazy<T> built(T value) {
        Lazy<T> lazy = new Lazy<>(() -> value);
        lazy.value = Objects.requireNonNull(value);
        return lazy;
    }

    @Override
    public T get() {
        T current = value;
        if (current == null) {
            synchronized (this) {
                current = value;
                if (current == null) {
                    current = Objects.requireNonNull(build.get(), "the lazy value was built as null");
                    value = current;
                }
            }
        }
        return current;
    }

    /** Whether the value has been built. */
    public boolean isBuilt() {
        return value != null;
    }
}
