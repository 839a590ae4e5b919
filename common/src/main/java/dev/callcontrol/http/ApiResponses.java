package dev.callcontrol.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builders for the responses API Gateway sends back: JSON, TwiML and agent-API errors. */
public final class ApiResponses {
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final Map<String, String> XML = Map.of("Content-Type", "text/xml");

    private ApiResponses() {
    }

    /** A body made of plain Java values ({@link JsonValues}); map entries whose value is null are left out. */
    public static APIGatewayV2HTTPResponse json(int status, Map<String, ?> body) {
        return json(status, JsonValues.writeWithoutNulls(body));
    }

    public static APIGatewayV2HTTPResponse json(int status, String body) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status).withHeaders(JSON).withBody(body).build();
    }

    public static APIGatewayV2HTTPResponse twiml(String xml) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200).withHeaders(XML).withBody(xml).build();
    }

    /** The agent-API error shape: {@code {"error":{"code":"...","message":"..."}}}. */
    public static APIGatewayV2HTTPResponse error(int status, String code, String message) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("code", code);
        detail.put("message", message);
        return json(status, Map.of("error", detail));
    }

    public static APIGatewayV2HTTPResponse error(HttpError error) {
        APIGatewayV2HTTPResponse response = error(error.status(), error.code(), error.getMessage());
        if (error.retryAfterSeconds() >= 0) {
            Map<String, String> headers = new LinkedHashMap<>(response.getHeaders());
            headers.put("Retry-After", String.valueOf(error.retryAfterSeconds()));
            response.setHeaders(headers);
        }
        return response;
    }
}
