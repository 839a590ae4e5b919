package dev.callcontrol.local.sim;

import dev.callcontrol.config.Config;
import dev.callcontrol.local.LocalDefaults;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.TwilioClients;
import dev.callcontrol.twilio.TwilioTelephony;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A 429 was never processed: the adapter retries it after a short backoff, and one task is created. */
class TwilioTelephonyRetryTest {
    private static TwilioSimulator simulator;
    private static SimClient sim;
    private static TwilioTelephony telephony;

    @BeforeAll
    static void start() throws Exception {
        simulator = TwilioSimulator.start(new TwilioSimulator.Settings("127.0.0.1", 0, LocalDefaults.ACCOUNT_SID, LocalDefaults.AUTH_TOKEN,
                ContractCheck.load(ContractCheck.defaultDirectory(System.getenv(), Project.root()))));
        sim = new SimClient(simulator.baseUrl());
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.put("TWILIO_API_BASE_URL", simulator.baseUrl());
        telephony = new TwilioTelephony(TwilioClients.restClient(Config.of(env)), DemoWorkspace.WORKSPACE_SID, DemoWorkspace.WORKFLOW_SID);
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @Test
    void aRateLimitedCreateIsRetriedAndHappensOnce() {
        sim.clearRequests();
        sim.addFault(Map.of("method", "POST", "path", "/Tasks$", "nth", 1, "times", 2, "status", 429));
        String task = telephony.createTask(Map.of("desired_queue", "sales"), 5);
        assertTrue(task.startsWith("WT"), task);
        var creates = sim.requests().stream().filter(r -> r.path("path").asText().endsWith("/Tasks")).toList();
        assertEquals(3, creates.size(), "two 429s, then the create");
        assertEquals(1, creates.stream().filter(r -> r.path("status").asInt() == 201).count());
        sim.clearFaults();
    }
}
