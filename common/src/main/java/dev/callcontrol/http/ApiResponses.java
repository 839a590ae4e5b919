package dev.callcontrol.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import java.util.Map;

/** Builders for the responses API Gateway sends back: JSON, TwiML and agent-API errors. */
public final class ApiResponses {
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final Map<String, String> XML = Map.of("Content-Type", "text/xml");

    private ApiResponses() {
    }

    public static APIGatewayV2HTTPResponse json(int status, Object body) {
        return json(status, Json.write(body));
    }

    public static APIGatewayV2HTTPResponse json(int status, String body) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status).withHeaders(JSON).withBody(body).build();
    }

    public static APIGatewayV2HTTPResponse twiml(String xml) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200).withHeaders(XML).withBody(xml).build();
    }

    /** The agent-API error shape: {@code {"error":{"code":"...","message":"..."}}}. */
    public static APIGatewayV2HTTPResponse error(int status, String code, String message) {
        return json(status, new ErrorBody(new ErrorBody.Detail(code, message)));
    }

    public static APIGatewayV2HTTPResponse error(HttpError error) {
        return error(error.status(), error.code(), error.getMessage());
    }

    record ErrorBody(Detail error) {
        record Detail(String code, String message) {
        }
    }
}
