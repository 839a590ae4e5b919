package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Say;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.twilio.TwilioWebhook;

import java.util.Map;

/**
 * {@code GET|POST /twilio/announcement?say=...}: the TwiML of an announcement the product plays to
 * one participant (the Participants API's {@code AnnounceUrl}), such as the agent hearing that the
 * customer they held is being brought back ({@code say=hold-limit}). An announcement the product
 * does not have is a 404, so Twilio plays nothing rather than a wrong text.
 */
public final class AnnouncementFunction extends TwilioWebhook {
    private static final Map<String, String> TWIML = Map.of(
            CallControl.ANNOUNCE_HOLD_LIMIT, say("Your caller has been on hold for the longest time allowed. They are back with you now."));

    public AnnouncementFunction() {
        this(Config.fromEnvironment());
    }

    public AnnouncementFunction(Config config) {
        super(config);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        if (!"GET".equals(request.method()) && !"POST".equals(request.method())) {
            throw new HttpError(405, "method_not_allowed", "an announcement is fetched with GET or POST");
        }
        String name = request.queryParameter("say");
        String twiml = name == null ? null : TWIML.get(name);
        if (twiml == null) {
            throw new HttpError(404, "no_announcement", "there is no announcement named by 'say'");
        }
        return ApiResponses.twiml(twiml);
    }

    private static String say(String words) {
        return new VoiceResponse.Builder().say(new Say.Builder(words).build()).build().toXml();
    }
}
