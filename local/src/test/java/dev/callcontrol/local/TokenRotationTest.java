package dev.callcontrol.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.Json;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.SignatureVerifier;
import dev.callcontrol.twilio.TwilioSecretStore;
import dev.callcontrol.twilio.TwilioWebhook;
import dev.callcontrol.twilio.WebhookUrls;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's auth-token rotation, step by step (issue 19, finding 2): at every step Twilio signs
 * webhooks with its primary token, and every container, whenever it started (before the rotation,
 * between any two steps, or restored from a snapshot taken before it), accepts them. The secret is
 * a {@link FakeSecretsManager} on loopback; each container is a {@link TwilioSecretStore} of its own
 * with the product's check ({@link TwilioWebhook#signed}).
 */
class TokenRotationTest {
    private static final String SECRET = "cc/rotation";
    private static final String OLD = "0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld00";
    private static final String NEW = "n3wn3wn3wn3wn3wn3wn3wn3wn3wn3w00";

    /** Twilio's side: the primary token signs webhooks; a secondary exists until it is promoted. */
    private static final class Twilio {
        String primary = OLD;
        String secondary;

        void createSecondary() {
            secondary = NEW;
        }

        void promote() {
            primary = secondary;
            secondary = null;
        }

        APIGatewayV2HTTPEvent webhook(int n) {
            APIGatewayV2HTTPEvent event = Webhooks.sample("hold-music-get.json");
            return Webhooks.signed(event, primary, Webhooks.PUBLIC_BASE_URL);
        }
    }

    private record Container(String name, TwilioSecretStore secrets, SignatureVerifier signatures) {
    }

    @Test
    void followingTheRunbookNoWebhookTwilioSignedIsRefused() throws Exception {
        try (FakeSecretsManager aws = FakeSecretsManager.start()) {
            TwilioSecretsTest.Clocks.Settable clock = new TwilioSecretsTest.Clocks.Settable(Instant.parse("2026-12-07T09:00:00Z"));
            Twilio twilio = new Twilio();
            List<Container> containers = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            int[] webhooks = {0};

            aws.put(SECRET, secret(OLD, null));
            Runnable startContainer = () -> {
                TwilioSecretStore store = TwilioSecretStore.loading(
                        new TwilioSecretStore.SecretsManagerLoader(SECRET, aws.endpoint(), "us-east-1", false), clock);
                containers.add(new Container("container " + (containers.size() + 1), store,
                        new SignatureVerifier(store::signingTokens, Webhooks.PUBLIC_BASE_URL, WebhookUrls.FRAGMENTS)));
            };
            // A SnapStart snapshot taken before the rotation; restored at a later step, it reads the secret again (afterRestore).
            TwilioSecretStore snapshot = TwilioSecretStore.loading(new TwilioSecretStore.SecretsManagerLoader(SECRET, aws.endpoint(), "us-east-1", false), clock);
            startContainer.run();
            startContainer.run();

            Map<String, Runnable> steps = new LinkedHashMap<>();
            steps.put("0. before the rotation", () -> { });
            steps.put("1. create the secondary token in Twilio", twilio::createSecondary);
            steps.put("2. put it into the secret as TWILIO_SECONDARY_AUTH_TOKEN", () -> aws.put(SECRET, secret(OLD, NEW)));
            steps.put("3. wait a minute (TwilioSecretStore.RELOAD_INTERVAL)", () -> clock.advance(TwilioSecretStore.RELOAD_INTERVAL));
            steps.put("4. promote the secondary token in Twilio", twilio::promote);
            steps.put("5. put it into the secret as TWILIO_AUTH_TOKEN", () -> aws.put(SECRET, secret(NEW, NEW)));
            steps.put("6. remove TWILIO_SECONDARY_AUTH_TOKEN from the secret", () -> aws.put(SECRET, secret(NEW, null)));
            steps.put("7. later", () -> clock.advance(Duration.ofHours(1)));

            for (Map.Entry<String, Runnable> step : steps.entrySet()) {
                step.getValue().run();
                startContainer.run();
                if (step.getKey().startsWith("4.")) {
                    snapshot.reload();
                    containers.add(new Container("restored from a snapshot of step 0", snapshot,
                            new SignatureVerifier(snapshot::signingTokens, Webhooks.PUBLIC_BASE_URL, WebhookUrls.FRAGMENTS)));
                }
                for (int round = 0; round < 3; round++) {
                    for (Container container : containers) {
                        ApiRequest request = ApiRequest.from(twilio.webhook(++webhooks[0]));
                        if (!TwilioWebhook.signed(container.signatures(), container.secrets(), request)) {
                            refused.add(step.getKey() + ": " + container.name());
                        }
                    }
                    clock.advance(Duration.ofSeconds(5));
                }
            }
            assertEquals(List.of(), refused, "webhooks Twilio signed that a container refused");
            assertEquals(NEW, twilio.primary);
            for (Container container : containers) {
                // The old token, revoked by the promotion and gone from the secret, stops counting within MAX_AGE.
                ApiRequest old = ApiRequest.from(Webhooks.signed(Webhooks.sample("hold-music-get.json"), OLD, Webhooks.PUBLIC_BASE_URL));
                clock.advance(TwilioSecretStore.MAX_AGE);
                assertEquals(false, TwilioWebhook.signed(container.signatures(), container.secrets(), old), container.name() + " still takes the old token");
            }
        }
    }

    /** The walk-through without step 3: a container that read the secret just before step 2 refuses until it may read it again. */
    @Test
    void promotingWithoutWaitingAMinuteCanRefuseWebhooks() throws Exception {
        try (FakeSecretsManager aws = FakeSecretsManager.start()) {
            TwilioSecretsTest.Clocks.Settable clock = new TwilioSecretsTest.Clocks.Settable(Instant.parse("2026-12-07T09:00:00Z"));
            aws.put(SECRET, secret(OLD, null));
            TwilioSecretStore store = TwilioSecretStore.loading(new TwilioSecretStore.SecretsManagerLoader(SECRET, aws.endpoint(), "us-east-1", false), clock);
            SignatureVerifier signatures = new SignatureVerifier(store::signingTokens, Webhooks.PUBLIC_BASE_URL, WebhookUrls.FRAGMENTS);
            aws.put(SECRET, secret(OLD, NEW));
            ApiRequest signedWithNew = ApiRequest.from(Webhooks.signed(Webhooks.sample("hold-music-get.json"), NEW, Webhooks.PUBLIC_BASE_URL));
            assertEquals(false, TwilioWebhook.signed(signatures, store, signedWithNew), "read 0 s ago: not read again yet");
            clock.advance(TwilioSecretStore.RELOAD_INTERVAL);
            assertEquals(true, TwilioWebhook.signed(signatures, store, signedWithNew), "a minute later it reads the secret and accepts");
        }
    }

    private static String secret(String primary, String secondary) {
        Map<String, String> value = new LinkedHashMap<>();
        value.put("TWILIO_AUTH_TOKEN", primary);
        value.put("TWILIO_API_KEY_SECRET", "key-secret");
        if (secondary != null) {
            value.put("TWILIO_SECONDARY_AUTH_TOKEN", secondary);
        }
        return Json.write(value);
    }
}
