package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.twilio.TwilioWebhook;

/**
 * {@code GET|POST /twilio/hold-music}: the TwiML a held participant hears, the configured music
 * looped until the hold ends. Twilio fetches a {@code HoldUrl} with GET unless told otherwise.
 */
public final class HoldMusicFunction extends TwilioWebhook {
    private final String twiml;

    public HoldMusicFunction() {
        this(Config.fromEnvironment());
    }

    public HoldMusicFunction(Config config) {
        super(config);
        this.twiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Play loop=\"0\">" + xml(config.holdMusicUrl()) + "</Play></Response>";
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        if (!"GET".equals(request.method()) && !"POST".equals(request.method())) {
            throw new HttpError(405, "method_not_allowed", "hold music is fetched with GET or POST");
        }
        return ApiResponses.twiml(twiml);
    }

    static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
    }
}
