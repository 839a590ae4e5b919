package dev.callcontrol.snapstart;

import dev.callcontrol.http.ApiGatewayJson;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.twilio.LegTwiml;
import dev.callcontrol.twilio.SignatureVerifier;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** The priming every function shares: the way from API Gateway's bytes to an answer, on made-up requests. */
public final class Primers {
    private static final AtomicBoolean REQUESTS = new AtomicBoolean();
    private static final String TOKEN = "priming-only";
    private static final String BASE_URL = "https://priming.invalid";

    private Primers() {
    }

    /** Registers {@link #requests()} once per container, however many handlers are built. */
    public static void registerRequests() {
        if (REQUESTS.compareAndSet(false, true)) {
            Priming.register("request handling", Primers::requests);
        }
    }

    /**
     * A signed Twilio form post and an agent's JSON command, each read from event bytes, parsed and
     * checked; a JSON answer, an error and TwiML written out.
     */
    public static void requests() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", "AC00000000000000000000000000000000");
        form.put("CallSid", "CA00000000000000000000000000000000");
        form.put("StatusCallbackEvent", "participant-join");
        form.put("From", "client:priming");
        StringBuilder body = new StringBuilder();
        form.forEach((name, value) -> body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        String signature = SignatureVerifier.sign(TOKEN, BASE_URL + "/twilio/priming?step=1", form);
        ApiRequest webhook = read("{\"version\":\"2.0\",\"routeKey\":\"POST /twilio/priming\",\"rawPath\":\"/twilio/priming\","
                + "\"rawQueryString\":\"step=1\",\"headers\":{\"content-type\":\"application/x-www-form-urlencoded\","
                + "\"x-twilio-signature\":\"" + signature + "\"},\"body\":\""
                + Base64.getEncoder().encodeToString(body.toString().getBytes(StandardCharsets.UTF_8)) + "\",\"isBase64Encoded\":true,"
                + "\"requestContext\":{\"stage\":\"$default\",\"http\":{\"method\":\"POST\",\"path\":\"/twilio/priming\"}}}");
        if (!new SignatureVerifier(TOKEN, BASE_URL).isValid(webhook) || webhook.queryParameter("step") == null) {
            throw new IllegalStateException("the primed webhook did not verify");
        }
        ApiRequest command = read("{\"version\":\"2.0\",\"routeKey\":\"POST /api/calls/{taskSid}/hold\",\"rawPath\":\"/api/calls/priming/hold\","
                + "\"headers\":{\"content-type\":\"application/json\"},\"pathParameters\":{\"taskSid\":\"priming\"},"
                + "\"body\":\"{\\\"hold\\\":true}\",\"isBase64Encoded\":false,\"requestContext\":{\"stage\":\"$default\","
                + "\"http\":{\"method\":\"POST\",\"path\":\"/api/calls/priming/hold\"},"
                + "\"authorizer\":{\"jwt\":{\"claims\":{\"sub\":\"priming\",\"cognito:groups\":\"[agents]\"},\"scopes\":[]}}}}");
        command.jsonBody();
        command.claims();
        try {
            ApiGatewayJson.write(ApiResponses.json(200, Map.of("primed", true)), OutputStream.nullOutputStream());
            ApiGatewayJson.write(ApiResponses.error(HttpError.badRequest("priming")), OutputStream.nullOutputStream());
            ApiGatewayJson.write(ApiResponses.twiml(LegTwiml.dial(LegTwiml.join("priming", "priming").build(), "Priming.")),
                    OutputStream.nullOutputStream());
            ApiGatewayJson.write(ApiResponses.twiml(LegTwiml.sayAndHangUp("Priming.")), OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ApiRequest read(String event) {
        return ApiRequest.from(ApiGatewayJson.read(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8))));
    }
}
