package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.HttpMethod;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import dev.callcontrol.local.LocalDefaults;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How Twilio delivers a webhook, as the simulator plays it
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides): without overrides,
 * one more try only when the connection failed; with them, what {@code rc}, {@code rp} and
 * {@code tt} ask; the fragment never on the wire; the signature over the URL with or without its
 * fragment, by the rule's variant. Faults between Twilio and a stand-in product make the attempts fail.
 */
@SimRulesTest.Simulator(SimFixture.Product.STARTED)
class WebhookDeliveryRulesTest extends SimRulesTest {
    private static final String FROM = DemoWorkspace.PHONE_NUMBER;

    private static int callee = 300;

    /**
     * Alerts a case expected it has cleared itself (see {@link #expectAlerts}); any other, raised up to
     * the last call's hang-up, fails it. Faults and webhook deliveries are cleared too.
     */
    @Override
    @AfterEach
    void noContractViolationsNoAlertsAndNothingLeft() {
        List<String> violations = sim.contractViolations();
        for (int i = 0; i < 50 && !sim.hearing().isEmpty(); i++) {
            sim.hangup(sim.hearing().get(0).path("callSid").asText());
        }
        List<JsonNode> alerts = alerts();
        sim.clearFaults();
        sim.resetRules();
        sim.clearRequests();
        sim.clearAlerts();
        sim.clearWebhookDeliveries();
        product.clear();
        assertEquals(List.of(), violations, "requests that broke Twilio's contract");
        assertEquals(List.of(), alerts, "alerts a test did not expect");
    }

    // ---------------------------------------------------------------- without overrides

    @Test
    void withoutOverridesA5xxIsNotDeliveredAgainAndTheEventIsLost() {
        sim.addWebhookFault(Map.of("path", "^/status/plain$", "nth", 1, "status", 503));
        JsonNode delivery = statusCallback("/status/plain");

        assertEquals(1, delivery.path("attempts").size(), "Twilio does not retry a 5xx by default: " + delivery);
        assertEquals("5xx", delivery.path("attempts").get(0).path("failure").asText());
        assertEquals(List.of(), product.hits("/status/plain"), "the product never saw it");
        expectAlerts(15003);
    }

    @Test
    void withoutOverridesARefusedConnectionIsTriedExactlyOnceMore() {
        sim.addWebhookFault(Map.of("path", "^/status/refused$", "nth", 1, "times", 5, "refuse", true));
        JsonNode delivery = statusCallback("/status/refused");
        assertEquals(List.of("ct", "ct"), failures(delivery), "rc defaults to 1, rp to ct");
        expectAlerts(15003);

        sim.clearFaults();
        sim.addWebhookFault(Map.of("path", "^/status/refused-once$", "nth", 1, "refuse", true));
        JsonNode recovered = statusCallback("/status/refused-once");
        assertEquals(2, recovered.path("attempts").size());
        assertEquals("HTTP 204 (after 2 attempts)", recovered.path("outcome").asText());
        assertEquals(1, product.hits("/status/refused-once").size(), "delivered on the second try");
    }

    @Test
    void withoutOverridesNoAnswerInTimeIsNotRetriedEvenThoughTheProductActed() {
        sim.addWebhookFault(Map.of("path", "^/status/slow$", "nth", 1, "timeout", true, "after", true));
        JsonNode delivery = statusCallback("/status/slow");
        assertEquals(List.of("rt"), failures(delivery));
        assertEquals(1, product.hits("/status/slow").size(), "the product handled it; Twilio never heard back");
        expectAlerts(15003);
    }

    // ---------------------------------------------------------------- with overrides

    @Test
    void rpNamingFiveXxRetriesUpToRcTimes() {
        sim.addWebhookFault(Map.of("path", "^/status/retried$", "nth", 1, "times", 2, "status", 503));
        JsonNode delivery = statusCallback("/status/retried#rc=2&rp=5xx");
        assertEquals(3, delivery.path("attempts").size(), delivery.toString());
        assertEquals("HTTP 204 (after 3 attempts)", delivery.path("outcome").asText());
        assertEquals(1, product.hits("/status/retried").size(), "only the third attempt reached the product");

        sim.clearFaults();
        sim.addWebhookFault(Map.of("path", "^/status/exhausted$", "nth", 1, "times", 10, "status", 500));
        JsonNode exhausted = statusCallback("/status/exhausted#rc=2&rp=5xx");
        assertEquals(List.of("5xx", "5xx", "5xx"), failures(exhausted), "the first try and rc retries, no more");
        expectAlerts(15003);
    }

    @Test
    void onlyTheFailuresRpNamesAreRetried() {
        sim.addWebhookFault(Map.of("path", "^/status/connect-only$", "nth", 1, "status", 502));
        assertEquals(List.of("5xx"), failures(statusCallback("/status/connect-only#rc=3&rp=ct")));
        expectAlerts(15003);

        sim.addWebhookFault(Map.of("path", "^/status/throttled$", "nth", 1, "status", 429));
        JsonNode throttled = statusCallback("/status/throttled#rc=3&rp=4xx");
        assertEquals(2, throttled.path("attempts").size(), "4xx names a 429");

        sim.addWebhookFault(Map.of("path", "^/status/everything$", "nth", 1, "times", 2, "timeout", true, "after", true));
        JsonNode all = statusCallback("/status/everything#rc=5&rp=all&rt=1000");
        assertEquals(3, all.path("attempts").size());
        assertEquals(3, product.hits("/status/everything").size(), "every attempt reached the product: each read timeout was after it acted");
    }

    @Test
    void theTotalTimeBoundsEveryAttemptTogether() {
        // Two read timeouts of 6 s fill tt=10000: 6 s, then the 4 s left, then none.
        sim.addWebhookFault(Map.of("path", "^/status/bounded$", "nth", 1, "times", 5, "timeout", true));
        JsonNode delivery = statusCallback("/status/bounded#rt=6000&tt=10000&rc=5&rp=rt");
        assertEquals(List.of("rt", "rt"), failures(delivery), delivery.toString());
        assertTrue(delivery.path("attempts").get(1).path("result").asText().contains("4000ms"), delivery.toString());
        expectAlerts(11203, 15003);
    }

    @Test
    void anRpTwilioDoesNotListRaises11243AndTheDefaultPolicyApplies() {
        sim.addWebhookFault(Map.of("path", "^/status/invalid$", "nth", 1, "status", 503));
        JsonNode delivery = statusCallback("/status/invalid#rc=2&rp=sometimes");
        assertEquals(1, delivery.path("attempts").size(), "rp falls back to ct, which a 5xx is not");
        expectAlerts(11243, 15003);
    }

    // ---------------------------------------------------------------- the fragment and the signature

    @ParameterizedTest
    @ValueSource(strings = {"included", "excluded"})
    void theFragmentNeverGoesOnTheWireAndIsSignedAsTheVariantSays(String variant) {
        sim.selectRule("webhooks.signature.fragment", variant);
        String fragment = "ct=2000&rt=6000&tt=15000&rc=2&rp=ct,rt,5xx";
        product.twiml("/twiml/get", "<Response><Pause length=\"30\"/></Response>");
        String to = nextCallee();
        Call call = Call.creator(new PhoneNumber(to), new PhoneNumber(FROM), URI.create(product.url("/twiml/get#" + fragment)))
                .setMethod(HttpMethod.GET).create(twilio);
        sim.answer(call.getSid());

        List<FakeProduct.Hit> fetches = product.hits("/twiml/get");
        assertEquals(1, fetches.size());
        FakeProduct.Hit fetch = fetches.get(0);
        assertEquals("GET", fetch.method());
        assertEquals(call.getSid(), fetch.param("CallSid"), "a GET's parameters go into the query");
        assertFalse(fetch.url().contains("#"), fetch.url());
        JsonNode delivery = last("/twiml/get");
        assertEquals(fetch.url(), delivery.path("wireUrl").asText(), "sent without the fragment");
        assertTrue(delivery.path("url").asText().endsWith("#" + fragment), "configured with it");
        String signedUrl = variant.equals("included") ? fetch.url() + "#" + fragment : fetch.url();
        assertEquals(signedUrl, delivery.path("signedUrl").asText());
        assertTrue(fetch.signedOver(LocalDefaults.AUTH_TOKEN, signedUrl), "signed over " + signedUrl);
        assertEquals(variant.equals("excluded"), fetch.signatureValid(), "a validator given only the URL requested accepts it only when the fragment is not signed");
        assertEquals(2000, delivery.path("overrides").path("ct").asInt());
    }

    // ---------------------------------------------------------------- TaskRouter

    @ParameterizedTest
    @ValueSource(strings = {"ignored", "honoured"})
    void theAssignmentCallbackFallsBackOnceUnlessTaskRouterHonoursTheOverrides(String variant) {
        sim.selectRule("webhooks.connection-overrides.taskrouter", variant);
        simulator.connectProduct(product.url(FakeProduct.ASSIGNMENT + "#rc=2&rp=5xx"), product.url(FakeProduct.ASSIGNMENT + "?attempt=fallback"), null);
        try {
            sim.addWebhookFault(Map.of("path", "^/assignment$", "nth", 1, "status", 503));
            String caller = "+14155550391";
            sim.dial(caller, null);

            List<JsonNode> callbacks = sim.webhookDeliveries().stream().filter(d -> d.path("what").asText().startsWith("assignment callback")).toList();
            if (variant.equals("honoured")) {
                assertEquals(1, callbacks.size(), callbacks.toString());
                assertEquals(2, callbacks.get(0).path("attempts").size(), "retried on the 503 as the fragment asks");
            } else {
                assertEquals(2, callbacks.size(), callbacks.toString());
                assertEquals(1, callbacks.get(0).path("attempts").size(), "TaskRouter's defaults do not retry a 503");
                assertTrue(callbacks.get(1).path("wireUrl").asText().endsWith("/assignment?attempt=fallback"), "then the fallback URL, once");
                expectAlerts(40130);
            }
            assertEquals(1, product.hits(FakeProduct.ASSIGNMENT).size(), "the product answered one of them");
            sim.hangup(sim.liveCall(caller).path("callSid").asText());
        } finally {
            simulator.connectProduct(null, null, null);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Places a call with a status callback at {@code pathAndFragment}, answers and hangs it up: its completed event, delivered. */
    private static JsonNode statusCallback(String pathAndFragment) {
        String to = nextCallee();
        Call call = Call.creator(new PhoneNumber(to), new PhoneNumber(FROM), new Twiml("<Response><Pause length=\"30\"/></Response>"))
                .setStatusCallback(URI.create(product.url(pathAndFragment)))
                .setStatusCallbackEvent(List.of("completed"))
                .create(twilio);
        sim.answer(call.getSid());
        sim.hangup(call.getSid());
        return last(pathAndFragment.split("[?#]")[0]);
    }

    private static JsonNode last(String path) {
        List<JsonNode> matching = sim.webhookDeliveries().stream()
                .filter(d -> URI.create(d.path("wireUrl").asText()).getPath().equals(path)).toList();
        assertFalse(matching.isEmpty(), "no delivery to " + path + ": " + sim.webhookDeliveries());
        return matching.get(matching.size() - 1);
    }

    private static List<String> failures(JsonNode delivery) {
        List<String> out = new ArrayList<>();
        delivery.path("attempts").forEach(a -> out.add(a.path("failure").asText(null)));
        return out;
    }

    private static String nextCallee() {
        return "+14155550" + (callee++);
    }

    /** Exactly these alerts (by code) were raised since the last check; they are then cleared. */
    private static void expectAlerts(Integer... codes) {
        List<JsonNode> alerts = alerts();
        assertEquals(java.util.Set.of(codes), alerts.stream().map(a -> a.path("code").asInt()).collect(java.util.stream.Collectors.toSet()), alerts.toString());
        sim.clearAlerts();
    }
}
