package dev.callcontrol.twilio;

import com.twilio.constant.EnumConstants;
import com.twilio.exception.ApiConnectionException;
import com.twilio.http.HttpClient;
import com.twilio.http.HttpMethod;
import com.twilio.http.Request;
import com.twilio.http.Response;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Sends every Twilio REST request to another base URL (the local simulator, a recording proxy)
 * with the same path and query. twilio-java builds {@code https://{product}.twilio.com} URLs and
 * applies region and edge to the host inside the request, so the swap happens here, after
 * {@link Request#constructURL()}; the host Twilio would have been asked travels in
 * {@value #ORIGINAL_HOST_HEADER} so the receiver can tell api from taskrouter.
 */
public final class RedirectingHttpClient extends HttpClient {
    public static final String ORIGINAL_HOST_HEADER = "X-Twilio-Original-Host";
    private static final Set<String> RESTRICTED_HEADERS = Set.of("host", "connection", "content-length", "expect", "upgrade");

    private final String baseUrl;
    private final java.net.http.HttpClient http;

    public RedirectingHttpClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Response makeRequest(Request request) {
        URL twilioUrl = request.constructURL();
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + twilioUrl.getFile()))
                .timeout(Duration.ofMillis(TwilioClients.RESPONSE_TIMEOUT.toMilliseconds()))
                .header(ORIGINAL_HOST_HEADER, twilioUrl.getHost())
                .header("X-Twilio-Client", "java-" + com.twilio.Twilio.VERSION)
                .header("Accept", "application/json");
        if (request.requiresAuthentication()) {
            builder.header("Authorization", request.getAuthString());
        }
        request.getHeaderParams().forEach((name, values) -> {
            if (!RESTRICTED_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        HttpMethod method = request.getMethod();
        if (method == HttpMethod.GET) {
            builder.GET();
        } else if (method == HttpMethod.DELETE) {
            builder.DELETE();
        } else {
            boolean json = request.getContentType() != null
                    && EnumConstants.ContentType.JSON.getValue().equals(request.getContentType().getValue());
            builder.header("Content-Type", json ? "application/json" : "application/x-www-form-urlencoded");
            String body = json ? request.getBody() : request.encodeFormBody();
            builder.method(method.toString(), HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
        }
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            List<Header> headers = new ArrayList<>();
            response.headers().map().forEach((name, values) -> values.forEach(value -> headers.add(new BasicHeader(name, value))));
            return new Response(response.body(), response.statusCode(), headers.toArray(Header[]::new));
        } catch (IOException e) {
            throw new ApiConnectionException("Twilio request to " + baseUrl + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiConnectionException("Twilio request to " + baseUrl + " was interrupted", e);
        }
    }
}
