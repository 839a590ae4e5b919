package dev.callcontrol.functions;

import dev.callcontrol.config.Config;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HoldMusicFunctionTest {
    @Test
    void playsTheConfiguredMusicInALoop() {
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.put("HOLD_MUSIC_URL", "https://music.example.com/hold.mp3?a=1&b=2");
        var response = new HoldMusicFunction(Config.of(env)).handleRequest(Webhooks.sample("hold-music-get.json"), null);
        assertEquals(200, response.getStatusCode());
        assertTrue(response.getHeaders().get("Content-Type").startsWith("text/xml") || response.getHeaders().get("Content-Type").startsWith("application/xml"));
        assertTrue(response.getBody().contains("<Play loop=\"0\">https://music.example.com/hold.mp3?a=1&amp;b=2</Play>"), response.getBody());
    }

    @Test
    void anUnsignedFetchIsRefused() {
        var event = Webhooks.sample("hold-music-get.json");
        event.getHeaders().remove("x-twilio-signature");
        assertEquals(403, new HoldMusicFunction(Config.of(Webhooks.localEnvironment())).handleRequest(event, null).getStatusCode());
    }
}
