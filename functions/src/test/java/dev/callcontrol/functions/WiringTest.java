package dev.callcontrol.functions;

import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.config.Config;
import dev.callcontrol.config.ConfigurationException;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void aFunctionWhoseTwilioClientIsBuiltLaterStillFailsAtItsStartWhenMisconfigured() {
        Map<String, String> wrong = Map.of("TWILIO_ACCOUNT_SID", "AC123", "TWILIO_AUTH_TOKEN", "", "TWILIO_API_BASE_URL", "not a URL");
        wrong.forEach((setting, value) -> {
            Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
            env.put(setting, value);
            assertThrows(ConfigurationException.class, () -> new GetCallFunction(Config.of(env)), setting);
        });
    }
}
