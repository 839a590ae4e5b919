package dev.callcontrol.twilio;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connection overrides the product asks Twilio for stay inside what Twilio documents
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides), so no reading of
 * what Twilio does with an invalid override matters, and ask for retries on 5xx, which Twilio's
 * default never retries.
 */
class WebhookUrlsTest {
    private static final Set<String> POLICIES = Set.of("4xx", "5xx", "ct", "rt", "all");

    @Test
    void everyFragmentIsWithinTheDocumentedLimits() {
        for (String fragment : WebhookUrls.FRAGMENTS) {
            Map<String, String> values = parse(fragment);
            assertTrue(Set.of("ct", "rt", "tt", "rc", "rp").containsAll(values.keySet()), fragment);
            within(values, "ct", 100, 10_000);
            within(values, "rt", 100, 15_000);
            within(values, "tt", 100, 15_000);
            within(values, "rc", 0, 5);
            for (String policy : values.get("rp").split(",")) {
                assertTrue(POLICIES.contains(policy), fragment + ": rp " + policy);
            }
            assertTrue(List.of(values.get("rp").split(",")).contains("5xx"), fragment + " asks for 5xx to be retried");
            assertTrue(Integer.parseInt(values.get("rc")) >= 1, fragment + " asks for a retry");
        }
    }

    @Test
    void aReadTimeoutRetryFitsInTheTotalTime() {
        Map<String, String> values = parse(WebhookUrls.RETRIES);
        assertTrue(values.get("rp").contains("rt"));
        assertTrue(Integer.parseInt(values.get("ct")) + Integer.parseInt(values.get("rt")) < Integer.parseInt(values.get("tt")),
                "a first attempt that times out leaves time for a second");
    }

    @Test
    void theAssignmentCallbackLeavesTaskRoutersTimeoutsAlone() {
        Map<String, String> values = parse(WebhookUrls.ASSIGNMENT_RETRIES);
        assertEquals(Set.of("rc", "rp"), values.keySet(), "TaskRouter's five seconds are its own");
        assertTrue(!values.get("rp").contains("rt") && !values.get("rp").contains("4xx"), "neither a slow answer nor a refusal is asked again");
    }

    @Test
    void theUrlsCarryTheirFragmentLastAndGoOnTheWireWithoutIt() {
        String base = "https://calls.example.com/cc";
        assertEquals("https://calls.example.com/cc/twilio/assignment#" + WebhookUrls.ASSIGNMENT_RETRIES, WebhookUrls.assignmentCallback(base));
        assertEquals("https://calls.example.com/cc/twilio/assignment?attempt=fallback#" + WebhookUrls.ASSIGNMENT_RETRIES, WebhookUrls.assignmentFallback(base));
        assertEquals("https://calls.example.com/cc/twilio/taskrouter-events#" + WebhookUrls.RETRIES, WebhookUrls.eventCallback(base));
        String events = WebhookUrls.withRetries(base + "/twilio/call-events?call=WT1");
        assertEquals("https://calls.example.com/cc/twilio/call-events?call=WT1", WebhookUrls.withoutFragment(events));
        assertEquals(java.net.URI.create(events).getFragment(), WebhookUrls.RETRIES, "a URI with the overrides as its fragment");
        assertThrows(IllegalArgumentException.class, () -> WebhookUrls.withRetries(events), "a URL gets one fragment");
    }

    private static Map<String, String> parse(String fragment) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : fragment.split("&")) {
            String[] kv = pair.split("=", 2);
            values.put(kv[0], kv[1]);
        }
        return values;
    }

    private static void within(Map<String, String> values, String key, int min, int max) {
        if (values.containsKey(key)) {
            int n = Integer.parseInt(values.get(key));
            assertTrue(n >= min && n <= max, key + "=" + n + " outside " + min + "-" + max);
        }
    }
}
