package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault policy against the simulator: a 429 was never processed, so the create is sent again;
 * a create that failed or got no answer after it took effect is found by its token and not sent
 * again; one that failed before taking effect is looked for, not found, and sent again. Each way,
 * exactly one task exists.
 */
@SimRulesTest.Simulator(value = SimFixture.Product.NONE, checkedAfterEach = false)
class TwilioTelephonyRetryTest extends SimRulesTest {
    @Test
    void aRateLimitedCreateIsRetriedAndHappensOnce() {
        sim.clearRequests();
        sim.addFault(Map.of("method", "POST", "path", "/Tasks$", "nth", 1, "times", 2, "status", 429));
        String task = telephony.createTask(Map.of("desired_queue", "sales"), 5, 90);
        assertTrue(task.startsWith("WT"), task);
        var creates = sim.requests().stream().filter(r -> r.path("path").asText().endsWith("/Tasks")).toList();
        assertEquals(3, creates.size(), "two 429s, then the create");
        assertEquals(1, creates.stream().filter(r -> r.path("status").asInt() == 201).count());
        assertEquals("90", creates.get(2).path("parameters").path("Timeout").path(0).asText(), "the task's own timeout is sent: " + creates.get(2));
        sim.clearFaults();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"500 after executing", "no answer after executing", "500 before executing", "no answer before executing"})
    void anUnansweredCreateIsLookedForBeforeItIsSentAgain(String fault) {
        sim.clearRequests();
        Map<String, Object> rule = new HashMap<>(Map.of("method", "POST", "path", "/Tasks$", "nth", 1, "times", 1, "after", fault.endsWith("after executing")));
        if (fault.startsWith("500")) {
            rule.put("status", 500);
        } else {
            rule.put("hang", true);
            rule.put("delayMillis", 50);
        }
        sim.addFault(rule);
        String marker = "fault-" + fault.hashCode();
        String task = telephony.createTask(Map.of("desired_queue", "sales", "marker", marker), 5, 0);
        assertTrue(task.startsWith("WT"), task);
        var made = java.util.stream.StreamSupport.stream(sim.tasks().spliterator(), false)
                .filter(t -> t.path("attributes").toString().contains(marker)).toList();
        assertEquals(1, made.size(), "exactly one task, whatever the fault: " + made);
        assertEquals(task, made.get(0).path("sid").asText());
        var lookups = sim.requests().stream().filter(r -> r.path("method").asText().equals("GET") && r.path("path").asText().endsWith("/Tasks")).toList();
        assertEquals(1, lookups.size(), "one lookup by the create's token");
        assertTrue(lookups.get(0).path("parameters").toString().contains("create_token"), lookups.get(0).toString());
        sim.clearFaults();
    }

    /**
     * A dial whose answer was lost is looked for among the calls still placing between the two
     * numbers. Older ones fill more than a page (twilio-java's default page is 50), and the list's
     * order is not documented (rule voice.rest.list-order): under either order the lookup reads every
     * page and names the new call, and no second call is placed.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"newest-first", "oldest-first"})
    void aDialWhoseAnswerWasLostIsFoundPastTheFirstPageInEitherListOrder(String order) {
        sim.clearRequests();
        sim.selectRule("voice.rest.list-order", order);
        try {
            String from = DemoWorkspace.PHONE_NUMBER;
            String to = order.startsWith("newest") ? "+14155550401" : "+14155550402";
            String twiml = simulator.baseUrl() + "/unused-twiml";
            java.util.Set<String> older = new java.util.HashSet<>();
            for (int i = 0; i < 55; i++) {
                older.add(telephony.dial(from, to, twiml, twiml, 600));
            }
            sim.advance(2);
            sim.addFault(Map.of("method", "POST", "path", "/Calls.json$", "nth", 1, "times", 1, "after", true, "status", 500));
            String placed = telephony.dial(from, to, twiml, twiml, 600);

            var creates = sim.requests().stream().filter(r -> r.path("method").asText().equals("POST") && r.path("path").asText().endsWith("/Calls.json")).toList();
            assertEquals(56, creates.size(), "the dial that failed after taking effect is not sent again");
            assertTrue(placed.startsWith("CA") && !older.contains(placed), "the new call, not one of the older ones: " + placed);
            var pages = sim.requests().stream().filter(r -> r.path("method").asText().equals("GET") && r.path("path").asText().endsWith("/Calls.json")).toList();
            assertTrue(pages.stream().anyMatch(r -> r.path("parameters").has("PageToken")), "the lookup followed next_page_uri: " + pages.size() + " pages");
        } finally {
            sim.clearFaults();
            sim.resetRules();
            for (JsonNode call : sim.hearing()) {
                sim.hangup(call.path("callSid").asText());
            }
        }
    }
}
