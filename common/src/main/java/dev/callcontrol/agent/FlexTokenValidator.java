package dev.callcontrol.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.twilio.UrlConnectionTwilioClient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Asks Twilio IAM whether a Flex token is valid, as twilio-flex-token-validator does
 * (https://github.com/twilio/twilio-flex-token-validator, src/index.ts): {@code POST
 * https://iam.twilio.com/v1/Accounts/{AccountSid}/Tokens/validate} with HTTP basic auth of the
 * account SID and auth token and the JSON body {@code {"token": "..."}}; the answer is a JSON object
 * whose {@code valid} decides, with {@code message} when it is not, and {@code expiration},
 * {@code realm_user_id}, {@code identity}, {@code roles} and {@code worker_sid} when it is. That
 * contract is in the validator's source and README only (twilio-oai has no IAM API).
 *
 * <p>With {@code TWILIO_API_BASE_URL} set the request goes there instead, path unchanged, the host
 * it stands for in {@value UrlConnectionTwilioClient#ORIGINAL_HOST_HEADER}, as every other Twilio
 * request does, so the simulator can answer it.
 */
public final class FlexTokenValidator {
    /** Twilio IAM's host, which the validator calls. */
    public static final String IAM_HOST = "iam.twilio.com";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(5);

    /** What IAM said about a token. {@code expiration} is null when IAM gave none or one that cannot be read. */
    public record Result(boolean valid, String message, Instant expiration, String workerSid, List<String> roles, String identity) {
        public Result {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }

        static Result invalid(String message) {
            return new Result(false, message, null, null, List.of(), null);
        }
    }

    /** IAM could not be asked, or gave an answer that is not the validator's JSON: nobody can tell if the token is good. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String accountSid;
    private final Supplier<String> authToken;
    private final String baseUrl;
    private final HttpClient http;

    /**
     * @param accountSid the account whose Flex tokens are accepted
     * @param authToken  its auth token, read on each request (it can rotate)
     * @param baseUrl    {@code TWILIO_API_BASE_URL}, or empty for Twilio itself
     */
    public FlexTokenValidator(String accountSid, Supplier<String> authToken, String baseUrl) {
        this.accountSid = accountSid;
        this.authToken = authToken;
        this.baseUrl = baseUrl == null || baseUrl.isBlank() ? null : baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** IAM's verdict on {@code token}; {@link Unavailable} when there is none. */
    public Result validate(String token) {
        String path = "/v1/Accounts/" + accountSid + "/Tokens/validate";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create((baseUrl == null ? "https://" + IAM_HOST : baseUrl) + path))
                .timeout(RESPONSE_TIMEOUT)
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((accountSid + ":" + authToken.get()).getBytes(StandardCharsets.UTF_8)))
                .header("Cache-Control", "no-cache")
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("token", token))));
        if (baseUrl != null) {
            request.header(UrlConnectionTwilioClient.ORIGINAL_HOST_HEADER, IAM_HOST);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable("Twilio IAM did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while asking Twilio IAM", e);
        }
        return read(response.statusCode(), response.body());
    }

    /** Reads a canned answer of IAM, for SnapStart's priming: the JSON paths loaded, nothing sent. */
    public static void prime() {
        read(200, "{\"valid\":true,\"code\":0,\"message\":null,\"expiration\":\"2026-01-01T00:00:00.000Z\","
                + "\"realm_user_id\":\"prime@example.com\",\"identity\":\"prime\",\"roles\":[\"agent\"],"
                + "\"worker_sid\":\"WK00000000000000000000000000000000\"}");
    }

    /** The answer as the validator reads it: JSON whose {@code valid} is true, else the message. */
    static Result read(int status, String body) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            throw new Unavailable("Twilio IAM answered " + status + " without a JSON object", null);
        }
        if (status >= 500 || status == 429) {
            // IAM failing or throttling: no verdict on the token. Any other answer is read as the
            // validator reads it, whatever its status: only "valid": true lets a token in (so a 401
            // for a bad token, or for the account's own credentials, refuses it).
            throw new Unavailable("Twilio IAM answered " + status + ": " + json.path("message").asText(""), null);
        }
        if (!json.path("valid").asBoolean(false)) {
            return Result.invalid(json.path("message").asText("the token is not valid"));
        }
        List<String> roles = new ArrayList<>();
        json.path("roles").forEach(role -> roles.add(role.asText()));
        String worker = json.path("worker_sid").isTextual() ? json.path("worker_sid").asText() : null;
        String identity = json.path("identity").isTextual() ? json.path("identity").asText() : null;
        return new Result(true, null, expiration(json.path("expiration").asText(null)), worker, roles, identity);
    }

    private static Instant expiration(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
