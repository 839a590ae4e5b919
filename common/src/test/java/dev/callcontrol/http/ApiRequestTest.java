package dev.callcontrol.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.callcontrol.testing.ApiEvents;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ApiRequestTest {
    private static APIGatewayV2HTTPEvent event(String method, String path, String stage, Map<String, String> headers, String body, boolean base64) {
        APIGatewayV2HTTPEvent event = ApiEvents.event(method, path, stage, "a=1&b=x%20y&a=2", headers, body, base64);
        event.setPathParameters(Map.of("taskSid", "WT1"));
        return event;
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void base64FormBodiesAreDecodedAndParsed() {
        ApiRequest request = ApiRequest.from(event("post", "/twilio/assignment", "$default",
                Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                b64("TaskSid=WT1&TaskAttributes=%7B%22a%22%3A1%7D&Multi=1&Multi=2&Name=J%C3%BCrgen+K"), true));
        assertEquals("POST", request.method());
        assertEquals("{\"a\":1}", request.form().get("TaskAttributes"));
        assertEquals(List.of("1", "2"), request.formParameters().get("Multi"));
        assertEquals("1", request.form().get("Multi"));
        assertEquals("Jürgen K", request.form().get("Name"));
        assertEquals("WT1", request.pathParameter("taskSid"));
    }

    @Test
    void headersAreCaseInsensitiveAndQueryKeepsEveryValue() {
        ApiRequest request = ApiRequest.from(event("GET", "/x", null, Map.of("X-Twilio-Signature", "abc"), null, false));
        assertEquals("abc", request.header("x-twilio-signature"));
        assertEquals(List.of("1", "2"), request.queryParameters().get("a"));
        assertEquals("x y", request.queryParameter("b"));
        assertEquals("", request.body());
    }

    @Test
    void namedStagePrefixIsRemovedFromThePath() {
        assertEquals("/twilio/assignment", ApiRequest.from(event("POST", "/prod/twilio/assignment", "prod", Map.of(), null, false)).path());
        assertEquals("/twilio/assignment", ApiRequest.from(event("POST", "/twilio/assignment", "$default", Map.of(), null, false)).path());
    }

    @Test
    void jsonBodiesParseAndMalformedOnesAreA400() {
        ApiRequest ok = ApiRequest.from(event("POST", "/calls", null, Map.of("content-type", "application/json"), "{\"hold\":true}", false));
        assertEquals(true, ok.jsonBody().get("hold"));
        HttpError malformed = assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/calls", null, Map.of("content-type", "application/json"), "{\"hold\":", false)).jsonBody());
        assertEquals(400, malformed.status());
        HttpError wrongType = assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/calls", null, Map.of("content-type", "text/plain"), "{}", false)).jsonBody());
        assertEquals(415, wrongType.status());
    }

    @Test
    void trailingContentAndRepeatedKeysAreMalformed() {
        for (String body : List.of("{\"hold\":true} {\"hold\":false}", "{\"hold\":true}x", "{\"hold\":false,\"hold\":true}")) {
            HttpError error = assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/calls", null,
                    Map.of("content-type", "application/json"), body, false)).jsonBody(), body);
            assertEquals(400, error.status(), body);
        }
        assertEquals(true, ApiRequest.from(event("POST", "/calls", null, Map.of("content-type", "application/json"), "{\"hold\":true}\n", false))
                .jsonBody().get("hold"));
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsA400() {
        for (String body : List.of("[]", "true", "\"hold\"", "null", "6")) {
            HttpError error = assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/calls", null,
                    Map.of("content-type", "application/json"), body, false)).jsonBody(), body);
            assertEquals(400, error.status(), body);
            assertEquals("the request body must be a JSON object", error.getMessage(), body);
        }
    }

    @Test
    void formsMustBeDeclaredAsForms() {
        HttpError error = assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/twilio/assignment", null, Map.of("content-type", "application/json"), "{\"TaskSid\":\"WT1\"}", false)).form());
        assertEquals(415, error.status());
    }

    @Test
    void brokenEncodingsAreA400() {
        assertEquals(400, assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/x", null, Map.of(), "%%%not base64", true))).status());
        assertEquals(400, assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/x", null,
                Map.of("content-type", "application/x-www-form-urlencoded"), "a=%ZZ", false)).form()).status());
        assertEquals(400, assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/x", null, Map.of(),
                Base64.getEncoder().encodeToString(new byte[] {(byte) 0xC3, (byte) 0x28}), true))).status());
        assertEquals(400, assertThrows(HttpError.class, () -> ApiRequest.from(new APIGatewayV2HTTPEvent())).status());
    }

    @Test
    void jsonWithAnythingAfterTheDocumentIsA400() {
        // Found by JsonFuzzTest: Jackson's readTree stops after the first value and took "6]" as 6.
        for (String body : List.of("6]", "{\"hold\":true} x", "{\"hold\":true}{\"hold\":false}", "[1]]")) {
            HttpError error = assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/calls", null,
                    Map.of("content-type", "application/json"), body, false)).jsonBody(), body);
            assertEquals(400, error.status(), body);
        }
        assertEquals(true, ApiRequest.from(event("POST", "/calls", null, Map.of("content-type", "application/json"), " {\"hold\":true} \n", false))
                .jsonBody().get("hold"));
    }

    @Test
    void nullPathParametersAndClaimsAreAbsentNotAFailure() {
        // Found by ApiRequestFuzzTest: a JSON null in the event's maps escaped as a NullPointerException.
        Map<String, String> withNull = new java.util.HashMap<>();
        withNull.put("taskSid", null);
        withNull.put("other", "x");
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withRawPath("/calls/x")
                .withPathParameters(withNull)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build())
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder().withClaims(withNull).build())
                                .build())
                        .build())
                .build();
        ApiRequest request = ApiRequest.from(event);
        assertEquals(null, request.pathParameter("taskSid"));
        assertEquals("x", request.pathParameter("other"));
        assertEquals(Map.of("other", "x"), request.claims());
    }

    @Test
    void oversizedBodiesAreA413() {
        String big = "a=" + "x".repeat(ApiRequest.MAX_BODY_BYTES);
        assertEquals(413, assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/x", null, Map.of(), big, false))).status());
        assertEquals(413, assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/x", null, Map.of(), b64(big), true))).status());
        // Fewer characters than the limit, more bytes: the limit is in bytes.
        String wide = "{\"pad\":\"" + "é".repeat(ApiRequest.MAX_BODY_BYTES / 2) + "\"}";
        assertEquals(413, assertThrows(HttpError.class, () -> ApiRequest.from(event("POST", "/x", null,
                Map.of("content-type", "application/json"), wide, false))).status());
        for (String text : List.of("abc", "é", "€", "😀", "a€😀é")) {
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, ApiRequest.utf8Length(text), text);
        }
    }

    @Test
    void errorsRenderAsTheAgentApiErrorShape() {
        var response = ApiResponses.error(new HttpError(409, "already_held", "the customer is already on hold"));
        assertEquals(409, response.getStatusCode());
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        assertEquals("{\"error\":{\"code\":\"already_held\",\"message\":\"the customer is already on hold\"}}", response.getBody());
    }
}
