package dev.callcontrol.functions;

import dev.callcontrol.config.Config;
import dev.callcontrol.snapstart.Priming;
import dev.callcontrol.testing.NetworkTrap;
import dev.callcontrol.testing.Project;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SnapStart priming of every function in template.yaml: each one registers what it warms, and
 * running every step (as the checkpoint does) succeeds without a single connection or lookup.
 */
class PrimingTest {
    @Test
    void everyFunctionPrimesWithoutAnyNetworkCall() throws Exception {
        Matcher handlers = Pattern.compile("Handler:\\s*(dev\\.callcontrol\\.functions\\.\\w+)::handleRequest")
                .matcher(Files.readString(Project.template()));
        int functions = 0;
        try (NetworkTrap trap = new NetworkTrap()) {
            Config config = Config.of(trap.environment());
            while (handlers.find()) {
                List<String> before = Priming.registered();
                Class.forName(handlers.group(1)).getConstructor(Config.class).newInstance(config);
                functions++;
                if (handlers.group(1).endsWith("HoldFunction")) {
                    List<String> added = Priming.registered().subList(before.size(), Priming.registered().size());
                    assertTrue(added.containsAll(List.of("call records", "Twilio requests")), added.toString());
                }
            }
            assertTrue(functions >= 20, "functions found in template.yaml: " + functions);
            assertTrue(Priming.registered().containsAll(List.of("request handling", "assignment instructions",
                    "call records (the DynamoDB client built before the snapshot)")), Priming.registered().toString());
            assertEquals(List.of(), Priming.primeAll(), "priming steps that failed");
            assertEquals(0, trap.connections(), "connections to DynamoDB or Twilio");
            assertEquals(List.of(), trap.lookedUp(), "destinations looked up");
        }
    }

    @Test
    void theLazyStoreIsBuiltByPrimingNotBeforeIt() {
        Config config = Config.of(dev.callcontrol.testing.Webhooks.localEnvironment());
        List<String> before = Priming.registered();
        new OutboundCallFunction(config);
        List<String> added = Priming.registered().subList(before.size(), Priming.registered().size());
        assertFalse(added.contains("call records"), "the outbound function built its store at start: " + added);
        assertTrue(added.contains("call records (the DynamoDB client built before the snapshot)"), added.toString());
    }
}
