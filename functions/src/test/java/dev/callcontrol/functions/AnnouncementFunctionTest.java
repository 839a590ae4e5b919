package dev.callcontrol.functions;

import dev.callcontrol.config.Config;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnnouncementFunctionTest {
    private final AnnouncementFunction function = new AnnouncementFunction(Config.of(Webhooks.localEnvironment()));

    @Test
    void theHoldLimitNoticeIsSpokenToTheAgent() {
        var response = function.handleRequest(Webhooks.sample("announcement-hold-limit.json"), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertTrue(response.getBody().startsWith("<?xml"), response.getBody());
        assertTrue(response.getBody().contains("<Say>Your caller has been on hold for the longest time allowed."), response.getBody());
    }

    @Test
    void anAnnouncementTheProductDoesNotHaveIsNotFound() {
        var event = Webhooks.sample("announcement-hold-limit.json");
        event.setRawQueryString(event.getRawQueryString().replace("say=hold-limit", "say=something-else"));
        Webhooks.signed(event);
        var response = function.handleRequest(event, null);
        assertEquals(404, response.getStatusCode(), response.getBody());
    }

    @Test
    void anUnsignedFetchIsRefused() {
        var event = Webhooks.sample("announcement-hold-limit.json");
        event.getHeaders().remove("x-twilio-signature");
        assertEquals(403, function.handleRequest(event, null).getStatusCode());
    }
}
