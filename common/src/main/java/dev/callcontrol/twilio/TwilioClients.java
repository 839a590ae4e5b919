package dev.callcontrol.twilio;

import com.twilio.http.TwilioRestClient;
import dev.callcontrol.config.Config;

/** Builds the Twilio REST client: Twilio's own hosts, or {@code TWILIO_API_BASE_URL} when set. */
public final class TwilioClients {
    private TwilioClients() {
    }

    public static TwilioRestClient restClient(Config config) {
        var builder = new TwilioRestClient.Builder(config.accountSid(), config.authToken());
        String baseUrl = config.twilioApiBaseUrl();
        if (baseUrl != null) {
            builder.httpClient(new RedirectingHttpClient(baseUrl));
        }
        return builder.build();
    }
}
