package dev.callcontrol.testing;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.callcontrol.twilio.SignatureVerifier;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds and alters API Gateway events the way Twilio's webhooks arrive, for handler tests. */
public final class Webhooks {
    public static final String AUTH_TOKEN = "local-auth-token";
    public static final String PUBLIC_BASE_URL = "http://127.0.0.1:3000";

    private Webhooks() {
    }

    /** A sample event from events/, deserialised as the Lambda Java runtime does it. */
    public static APIGatewayV2HTTPEvent sample(String name) {
        return EventLoader.loadApiGatewayHttpEvent(Project.event(name).toString());
    }

    /** The event's form parameters (base64 or not). */
    public static Map<String, String> form(APIGatewayV2HTTPEvent event) {
        String body = event.getBody() == null ? "" : event.getBody();
        if (event.getIsBase64Encoded()) {
            body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    /** Replaces the event's form body (base64, as HTTP APIs deliver forms) without re-signing. */
    public static APIGatewayV2HTTPEvent withForm(APIGatewayV2HTTPEvent event, Map<String, String> form) {
        event.setBody(Base64.getEncoder().encodeToString(encode(form).getBytes(StandardCharsets.UTF_8)));
        event.setIsBase64Encoded(true);
        return event;
    }

    /** Signs the event for {@code baseUrl} with {@code token}, as Twilio would. */
    public static APIGatewayV2HTTPEvent signed(APIGatewayV2HTTPEvent event, String token, String baseUrl) {
        String query = event.getRawQueryString() == null ? "" : event.getRawQueryString();
        String url = baseUrl + event.getRawPath() + (query.isEmpty() ? "" : "?" + query);
        Map<String, String> headers = new HashMap<>(event.getHeaders() == null ? Map.of() : event.getHeaders());
        headers.put("x-twilio-signature", SignatureVerifier.sign(token, url, form(event)));
        event.setHeaders(headers);
        return event;
    }

    public static APIGatewayV2HTTPEvent signed(APIGatewayV2HTTPEvent event) {
        return signed(event, AUTH_TOKEN, PUBLIC_BASE_URL);
    }

    public static String encode(Map<String, String> form) {
        StringBuilder body = new StringBuilder();
        form.forEach((name, value) -> {
            if (!body.isEmpty()) {
                body.append('&');
            }
            body.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return body.toString();
    }

    /** The local runtime's environment defaults, as a Config would read them. */
    public static Map<String, String> localEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000001");
        env.put("TWILIO_AUTH_TOKEN", AUTH_TOKEN);
        env.put("PUBLIC_BASE_URL", PUBLIC_BASE_URL);
        env.put("TASKROUTER_WORKSPACE_SID", "WS00000000000000000000000000000001");
        env.put("TASKROUTER_WORKFLOW_SID", "WW00000000000000000000000000000001");
        env.put("CALLER_ID", "+15005550006");
        env.put("TABLE_NAME", "CallsTable");
        return env;
    }
}
