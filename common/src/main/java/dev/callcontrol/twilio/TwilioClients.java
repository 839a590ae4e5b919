package dev.callcontrol.twilio;

import com.twilio.http.HttpClient;
import com.twilio.http.NetworkHttpClient;
import com.twilio.http.TwilioRestClient;
import dev.callcontrol.config.Config;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * Builds the Twilio REST client: Twilio's own hosts, or {@code TWILIO_API_BASE_URL} when set.
 * Every request is sent once ({@link SingleAttemptHttpClient}); {@link FaultPolicy} decides on
 * retries. Timeouts are short enough that a retry still fits in the function's time.
 */
public final class TwilioClients {
    /** Time to open a connection to Twilio. */
    static final Timeout CONNECT_TIMEOUT = Timeout.ofSeconds(3);
    /** Time to wait for Twilio's answer; its REST API answers in well under a second. */
    static final Timeout RESPONSE_TIMEOUT = Timeout.ofSeconds(5);

    private TwilioClients() {
    }

    /**
     * What a client is built from, read (and checked) from the configuration when a function is
     * built, so a misconfigured function fails at its start even when it builds its client later.
     */
    public record Settings(String accountSid, String authToken, String baseUrl) {
        public static Settings of(Config config) {
            return new Settings(config.accountSid(), config.authToken(), config.twilioApiBaseUrl());
        }

        /** Without the auth token, which is never logged. */
        @Override
        public String toString() {
            return "Settings[accountSid=" + accountSid + ", authToken=<redacted>, baseUrl=" + baseUrl + "]";
        }
    }

    public static TwilioRestClient restClient(Config config) {
        return restClient(Settings.of(config));
    }

    public static TwilioRestClient restClient(Settings settings) {
        HttpClient network = settings.baseUrl() != null ? new RedirectingHttpClient(settings.baseUrl()) : twilioNetwork();
        return new TwilioRestClient.Builder(settings.accountSid(), settings.authToken())
                .httpClient(new SingleAttemptHttpClient(network))
                .build();
    }

    @SuppressWarnings("deprecation") // RequestConfig's connect timeout: twilio-java builds its own connection manager.
    private static HttpClient twilioNetwork() {
        RequestConfig requests = RequestConfig.custom()
                .setConnectionRequestTimeout(CONNECT_TIMEOUT)
                .setConnectTimeout(CONNECT_TIMEOUT)
                .setResponseTimeout(RESPONSE_TIMEOUT)
                .build();
        SocketConfig sockets = SocketConfig.custom().setSoTimeout(RESPONSE_TIMEOUT).setSoKeepAlive(true).build();
        return new NetworkHttpClient(requests, sockets);
    }
}
