package dev.callcontrol.config;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LazyTest {
    @Test
    void nothingIsBuiltUntilAskedAndThenOnce() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<Object> lazy = Lazy.of(() -> {
            builds.incrementAndGet();
            return new Object();
        });
        assertFalse(lazy.isBuilt());
        assertEquals(0, builds.get());

        Object first = lazy.get();

        assertTrue(lazy.isBuilt());
        assertSame(first, lazy.get());
        assertEquals(1, builds.get());
    }

    @Test
    void aFailedBuildIsTriedAgainByTheNextCaller() {
        AtomicInteger attempts = new AtomicInteger();
        Lazy<String> lazy = Lazy.of(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("endpoint unreachable");
            }
            return "client";
        });

        assertThrows(IllegalStateException.class, lazy::get);
        assertFalse(lazy.isBuilt());
        assertEquals("client", lazy.get());
    }

    @Test
    void aBuiltValueIsReturnedAsIsAndNullIsRefused() {
        assertSame("client", Lazy.built("client").get());
        assertTrue(Lazy.built("client").isBuilt());
        assertThrows(NullPointerException.class, () -> Lazy.built(null));
        assertThrows(NullPointerException.class, () -> Lazy.of(() -> null).get());
    }
}
