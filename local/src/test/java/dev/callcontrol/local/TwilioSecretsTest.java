package dev.callcontrol.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.callcontrol.config.Config;
import dev.callcontrol.config.ConfigurationException;
import dev.callcontrol.functions.HoldMusicFunction;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.TwilioClients;
import dev.callcontrol.twilio.TwilioSecretStore;
import dev.callcontrol.twilio.TwilioSecrets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Twilio secrets read from Secrets Manager (issue 19, finding 7), against a fake endpoint on
 * loopback ({@link FakeSecretsManager}): nothing leaves the machine.
 */
class TwilioSecretsTest {
    private static final String KEY_SID = "SK00000000000000000000000000000001";
    private static FakeSecretsManager secrets;

    @BeforeAll
    static void start() throws IOException {
        secrets = FakeSecretsManager.start();
    }

    @AfterAll
    static void stop() {
        secrets.close();
    }

    /** A function's environment as deployed: no secret in it, only the secret's name. */
    private static Map<String, String> deployed(String secretId) {
        Map<String, String> env = Webhooks.localEnvironment();
        env.put("TWILIO_AUTH_TOKEN", "");
        env.put("TWILIO_SECONDARY_AUTH_TOKEN", "");
        env.put("TWILIO_API_KEY_SID", KEY_SID);
        env.put("TWILIO_API_KEY_SECRET", "");
        env.put("TWILIO_SECRET_ID", secretId);
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint().toString());
        env.put("HOLD_MUSIC_URL", "https://example.com/music.mp3");
        return env;
    }

    private static APIGatewayV2HTTPEvent holdMusicRequest(String token) {
        APIGatewayV2HTTPEvent event = Webhooks.sample("hold-music-get.json");
        return Webhooks.signed(event, token, Webhooks.PUBLIC_BASE_URL);
    }

    @Test
    void aDeployedFunctionReadsItsSecretsOnceAtStartAndAuthenticatesRestWithTheApiKey() {
        secrets.put("cc/start", "{\"TWILIO_AUTH_TOKEN\":\"token-from-the-secret\",\"TWILIO_API_KEY_SECRET\":\"key-secret\"}");
        Config config = Config.of(deployed("cc/start"));
        HoldMusicFunction function = new HoldMusicFunction(config);
        TwilioClients.Settings rest = TwilioClients.Settings.of(config);
        assertSame(TwilioSecretStore.of(config), TwilioSecretStore.of(Config.of(deployed("cc/start"))), "every function of a container shares one read");
        assertEquals(1, secrets.reads("cc/start"), "one read of the secret for the container");

        assertEquals(KEY_SID, rest.username());
        assertEquals("key-secret", rest.password());
        assertTrue(rest.apiKey());
        assertFalse(rest.toString().contains("key-secret"), rest.toString());

        assertEquals(200, function.handleRequest(holdMusicRequest("token-from-the-secret"), null).getStatusCode());
        assertEquals(403, function.handleRequest(holdMusicRequest(Webhooks.AUTH_TOKEN), null).getStatusCode());
    }

    @Test
    void withoutASecretTheEnvironmentHoldsTheSecretsAndRestUsesTheAuthTokenWhenNoKeyIsSet() {
        Config local = Config.of(Webhooks.localEnvironment());
        assertEquals(List.of(Webhooks.AUTH_TOKEN), TwilioSecretStore.of(local).signingTokens());
        TwilioClients.Settings rest = TwilioClients.Settings.of(local);
        assertEquals("AC00000000000000000000000000000001", rest.username());
        assertEquals(Webhooks.AUTH_TOKEN, rest.password());
        assertFalse(rest.apiKey());

        Map<String, String> withKey = Webhooks.localEnvironment();
        withKey.put("TWILIO_API_KEY_SID", KEY_SID);
        var missing = assertThrows(ConfigurationException.class, () -> TwilioClients.Settings.of(Config.of(withKey)));
        assertTrue(missing.getMessage().contains("TWILIO_API_KEY_SECRET"), missing.getMessage());
        withKey.put("TWILIO_API_KEY_SID", "SK123");
        assertThrows(ConfigurationException.class, () -> TwilioClients.Settings.of(Config.of(withKey)));
    }

    @Test
    void aSecretThatCannotBeReadOrIsMalformedStopsTheStartNamingTheSecretAndNoValue() {
        var unknown = assertThrows(ConfigurationException.class, () -> TwilioSecretStore.of(Config.of(deployed("cc/nowhere"))));
        assertTrue(unknown.getMessage().contains("cc/nowhere"), unknown.getMessage());

        secrets.put("cc/not-json", "token-without-json");
        var notJson = assertThrows(ConfigurationException.class, () -> TwilioSecretStore.of(Config.of(deployed("cc/not-json"))));
        assertFalse(notJson.getMessage().contains("token-without-json"), notJson.getMessage());

        secrets.put("cc/no-token", "{\"TWILIO_API_KEY_SECRET\":\"key-secret\"}");
        var noToken = assertThrows(ConfigurationException.class, () -> TwilioSecretStore.of(Config.of(deployed("cc/no-token"))));
        assertTrue(noToken.getMessage().contains("TWILIO_AUTH_TOKEN"), noToken.getMessage());

        secrets.put("cc/number", "{\"TWILIO_AUTH_TOKEN\":12345678}");
        var number = assertThrows(ConfigurationException.class, () -> TwilioSecretStore.of(Config.of(deployed("cc/number"))));
        assertFalse(number.getMessage().contains("12345678"), number.getMessage());

        Map<String, String> closed = deployed("cc/closed");
        closed.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:9");
        var unreachable = assertThrows(ConfigurationException.class, () -> TwilioSecretStore.of(Config.of(closed)));
        assertTrue(unreachable.getMessage().contains("cc/closed"), unreachable.getMessage());
    }

    @Test
    void aSignatureNoTokenMatchesReadsTheSecretAgainAtMostOncePerInterval() {
        secrets.put("cc/reload", "{\"TWILIO_AUTH_TOKEN\":\"first\"}");
        Clocks.Settable clock = new Clocks.Settable(Instant.parse("2026-12-07T09:00:00Z"));
        TwilioSecretStore store = TwilioSecretStore.loading(loader("cc/reload"), clock);
        int before = secrets.reads("cc/reload");
        secrets.put("cc/reload", "{\"TWILIO_AUTH_TOKEN\":\"first\",\"TWILIO_SECONDARY_AUTH_TOKEN\":\"second\"}");
        assertFalse(store.reloadIfStale(), "read a moment ago: not read again");
        assertEquals(before, secrets.reads("cc/reload"));
        clock.advance(TwilioSecretStore.RELOAD_INTERVAL);
        assertTrue(store.reloadIfStale(), "the secondary token is new");
        assertEquals(List.of("first", "second"), store.signingTokens());
        assertFalse(store.reloadIfStale(), "once per interval, however many signatures fail");
        assertEquals(before + 1, secrets.reads("cc/reload"));
        clock.advance(TwilioSecretStore.RELOAD_INTERVAL);
        assertFalse(store.reloadIfStale(), "read again, nothing changed");
        assertEquals(before + 2, secrets.reads("cc/reload"));
    }

    @Test
    void aSecretThatCannotBeReadAgainKeepsTheTokensHeld() {
        secrets.put("cc/vanishing", "{\"TWILIO_AUTH_TOKEN\":\"kept\"}");
        Clocks.Settable clock = new Clocks.Settable(Instant.parse("2026-12-07T09:00:00Z"));
        TwilioSecretStore store = TwilioSecretStore.loading(loader("cc/vanishing"), clock);
        secrets.put("cc/vanishing", "not json");
        clock.advance(Duration.ofMinutes(5));
        assertFalse(store.reloadIfStale());
        assertEquals(List.of("kept"), store.signingTokens());
    }

    @Test
    void secretsAreNeverPrinted() {
        String shown = new TwilioSecrets("tok", "sec", "key").toString();
        assertFalse(shown.contains("tok") || shown.contains("sec\"") || shown.contains("=key"), shown);
    }

    static TwilioSecretStore.Loader loader(String secretId) {
        return new TwilioSecretStore.SecretsManagerLoader(secretId, secrets.endpoint(), "us-east-1", false);
    }

    /** A clock the tests move. */
    static final class Clocks {
        static final class Settable extends Clock {
            private Instant now;

            Settable(Instant start) {
                this.now = start;
            }

            void advance(Duration by) {
                now = now.plus(by);
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        }
    }
}
