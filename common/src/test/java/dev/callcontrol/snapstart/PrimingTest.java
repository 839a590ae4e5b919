package dev.callcontrol.snapstart;

import dev.callcontrol.config.Config;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.testing.NetworkTrap;
import dev.callcontrol.twilio.TwilioClients;
import dev.callcontrol.twilio.TwilioTelephony;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrimingTest {
    @Test
    void everyStepRunsInOrderAndAFailingOneIsReportedWithoutStoppingTheRest() {
        List<String> ran = new ArrayList<>();
        Priming.register("test: first", () -> ran.add("first"));
        Priming.register("test: broken", () -> {
            throw new IllegalStateException("broken on purpose");
        });
        Priming.register("test: last", () -> ran.add("last"));
        List<String> failed = Priming.primeAll();
        assertEquals(List.of("first", "last"), ran);
        assertTrue(failed.contains("test: broken"), failed.toString());
        assertTrue(Priming.registered().containsAll(List.of("test: first", "test: broken", "test: last")));
    }

    @Test
    void theRequestPathIsPrimedWithoutAnyNetworkCall() throws Exception {
        try (NetworkTrap trap = new NetworkTrap()) {
            Primers.requests();
            assertEquals(0, trap.connections());
            assertEquals(List.of(), trap.lookedUp());
        }
    }

    /** Every kind of Twilio request runs to a deserialised answer (an empty read would throw), none over the network. */
    @Test
    void twilioRequestsArePrimedWithoutAnyNetworkCall() throws Exception {
        try (NetworkTrap trap = new NetworkTrap()) {
            Config config = Config.of(trap.environment());
            new TwilioTelephony(TwilioClients.restClient(config), config.workspaceSid(), config.workflowSid()).prime();
            assertEquals(0, trap.connections(), "connections to Twilio");
            assertEquals(List.of(), trap.lookedUp(), "destinations looked up");
        }
    }

    @Test
    void callRecordsArePrimedWithoutAnyNetworkCall() throws Exception {
        try (NetworkTrap trap = new NetworkTrap()) {
            Config config = Config.of(trap.environment());
            new CallStore(DynamoDbClients.create(config), config.tableName(), Clock.systemUTC()).prime();
            assertEquals(0, trap.connections(), "connections to DynamoDB");
            assertEquals(List.of(), trap.lookedUp(), "destinations looked up");
        }
    }
}
