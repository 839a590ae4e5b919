package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.twilio.WebhookUrls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A webhook the product answers 5xx (its Lambda throttled, API Gateway unavailable, or a dependency
 * failing after it acted) is delivered again only because the product's URLs ask Twilio to retry
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides): by default Twilio
 * retries only a failed connection, and the event would be lost. The product recovers on the retry
 * whether or not it acted the first time, under either reading of how Twilio signs a URL with a
 * fragment; a 5xx on the assignment callback is recovered by a retry where TaskRouter honours the
 * overrides and by the workflow's fallback URL where it does not.
 */
class WebhookRetryScenarioTest extends CallCentreScenario {

    @AfterEach
    void backToTheDefaultReadings() {
        sim.resetRules();
    }

    @ParameterizedTest(name = "product acted first: {0}, fragment signed: {1}")
    @CsvSource({"false, included", "true, included", "false, excluded", "true, excluded"})
    void aConferenceEventAnswered5xxIsDeliveredAgainAndTheCustomerIsNotLeftAlone(boolean productActedFirst, String signature) {
        sim.selectRule("webhooks.signature.fragment", signature);
        Connected call = connect("+14155550461");
        sim.clearWebhookDeliveries();
        sim.addWebhookFault(Map.of("path", "^/twilio/conference-events$", "nth", 1, "status", 503, "after", productActedFirst));

        // The agent hangs up; the customer, whose leg does not end the conference, would stay alone in it
        // unless the product hears of the agent's leaving and applies the last-agent rule.
        hangUp(call.agent());

        JsonNode leave = sim.webhookDeliveries().stream().filter(d -> d.path("what").asText().startsWith("participant-leave")).findFirst()
                .orElseThrow(() -> new AssertionError("no participant-leave delivered: " + sim.webhookDeliveries()));
        assertTrue(leave.path("url").asText().endsWith("/twilio/conference-events#" + WebhookUrls.RETRIES), "the product asked for retries: " + leave);
        assertTrue(leave.path("overrides").path("rp").toString().contains("\"5xx\""), "Twilio applies them: " + leave);
        JsonNode attempts = leave.path("attempts");
        assertEquals(2, attempts.size(), "a 503 is retried because the URL names 5xx: " + leave);
        assertEquals("5xx", attempts.get(0).path("failure").asText());
        assertEquals(productActedFirst, attempts.get(0).path("delivered").asBoolean(), "the first attempt reached the product only when it acted first");
        assertTrue(attempts.get(1).path("delivered").asBoolean());
        assertEquals("HTTP 200", attempts.get(1).path("result").asText(), "the second delivery is accepted, even when it repeats one already handled");

        assertNull(sim.liveCall("+14155550461"), "the last agent left: the product ended the conference on the retried event");
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText());
    }

    @ParameterizedTest(name = "TaskRouter overrides {0}")
    @ValueSource(strings = {"ignored", "honoured"})
    void anAssignmentCallbackAnswered5xxIsTakenByARetryOrByTheFallbackUrl(String taskRouter) {
        sim.selectRule("webhooks.connection-overrides.taskrouter", taskRouter);
        String customer = "+14155550462";
        sim.clearWebhookDeliveries();
        sim.addWebhookFault(Map.of("path", "^/twilio/assignment$", "nth", 1, "status", 503));

        sim.dial(customer, DemoWorkspace.PHONE_NUMBER);

        List<JsonNode> callbacks = sim.webhookDeliveries().stream().filter(d -> d.path("what").asText().startsWith("assignment callback")).toList();
        if (taskRouter.equals("honoured")) {
            assertEquals(1, callbacks.size(), callbacks.toString());
            assertEquals(2, callbacks.get(0).path("attempts").size(), "retried on the 503, as #" + WebhookUrls.ASSIGNMENT_RETRIES + " asks");
        } else {
            assertEquals(2, callbacks.size(), "TaskRouter's default does not retry a 503; the fallback URL is its documented second try: " + callbacks);
            assertEquals(1, callbacks.get(0).path("attempts").size());
            assertTrue(callbacks.get(1).path("wireUrl").asText().endsWith("/twilio/assignment?attempt=fallback"), callbacks.get(1).toString());
            assertEquals(Set.of(40130), Set.copyOf(alertCodes()), "the failed primary shows in the debugger");
            sim.clearAlerts();
        }

        String agent = sim.liveCall("alice") != null ? "alice" : "bob";
        sim.answer(sim.ringing(agent));
        assertEquals(Set.of(agent), sim.hears(customer), "the customer reaches an agent without waiting for the reservation to time out");
        hangUp(customer);
    }

    private static List<Integer> alertCodes() {
        List<Integer> codes = new java.util.ArrayList<>();
        sim.alerts().forEach(a -> codes.add(a.path("code").asInt()));
        return codes;
    }
}
