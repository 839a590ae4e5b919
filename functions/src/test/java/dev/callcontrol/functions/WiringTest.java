package dev.callcontrol.functions;

import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.testing.InMemoryCallRecords;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WiringTest {
    @Test
    void aLazyStoreIsBuiltOnFirstUseOnlyAndOnce() {
        AtomicInteger built = new AtomicInteger();
        CallRecords records = Wiring.lazily(() -> {
            built.incrementAndGet();
            return new InMemoryCallRecords();
        });
        assertEquals(0, built.get(), "nothing is built until a record is asked for");
        assertTrue(records.find("WT0123456789abcdef0123456789abcdef").isEmpty());
        records.find("WT0123456789abcdef0123456789abcdef");
        assertEquals(1, built.get());
    }
}
