package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.agent.FlexAuthorizer;
import dev.callcontrol.agent.FlexTokenValidator;
import dev.callcontrol.http.Json;
import dev.callcontrol.testing.Project;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The authorizer reads the HTTP API's request as the Lambda runtime hands it over and answers in the simple-response format. */
class FlexAuthorizerFunctionTest {
    private static final String WORKER = "WK00000000000000000000000000000001";
    private HttpServer iam;
    private final List<String> tokens = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        iam = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        iam.createContext("/", exchange -> {
            try (exchange) {
                String token = Json.parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), "body").path("token").asText();
                tokens.add(token);
                String answer = token.equals("flex-local-token-for-alice")
                        ? "{\"valid\":true,\"code\":0,\"message\":null,\"expiration\":\"2026-11-23T21:15:00.000Z\",\"identity\":\"alice\","
                        + "\"roles\":[\"agent\"],\"worker_sid\":\"" + WORKER + "\"}"
                        : "{\"valid\":false,\"code\":20101,\"message\":\"Invalid Access Token\"}";
                byte[] out = answer.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, out.length);
                exchange.getResponseBody().write(out);
            }
        });
        iam.start();
    }

    @AfterEach
    void stop() {
        iam.stop(0);
    }

    private FlexAuthorizerFunction function() {
        FlexTokenValidator validator = new FlexTokenValidator("AC00000000000000000000000000000001", () -> "token",
                "http://127.0.0.1:" + iam.getAddress().getPort());
        return new FlexAuthorizerFunction(new FlexAuthorizer(validator, Clock.fixed(Instant.parse("2026-11-23T20:15:00Z"), ZoneOffset.UTC)));
    }

    private static APIGatewayV2CustomAuthorizerEvent sample() throws IOException {
        PojoSerializer<APIGatewayV2CustomAuthorizerEvent> events =
                LambdaEventSerializers.serializerFor(APIGatewayV2CustomAuthorizerEvent.class, FlexAuthorizerFunctionTest.class.getClassLoader());
        try (InputStream in = Files.newInputStream(Project.event("flex-authorizer.json"))) {
            return events.fromJson(in);
        }
    }

    private static JsonNode asLambdaWritesIt(SimpleIAMPolicyResponse response) {
        PojoSerializer<SimpleIAMPolicyResponse> responses =
                LambdaEventSerializers.serializerFor(SimpleIAMPolicyResponse.class, FlexAuthorizerFunctionTest.class.getClassLoader());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        responses.toJson(response, out);
        return Json.parse(out.toString(StandardCharsets.UTF_8), "response");
    }

    @Test
    void theSampleEventIsAuthorizedWithTheWorkerInTheContext() throws IOException {
        JsonNode answer = asLambdaWritesIt(function().handleRequest(sample(), null));
        assertTrue(answer.path("isAuthorized").asBoolean(), answer.toString());
        assertEquals(WORKER, answer.path("context").path(FlexAuthorizer.WORKER_SID).asText());
        assertEquals("agent", answer.path("context").path(FlexAuthorizer.ROLES).asText());
        assertEquals(String.valueOf(Instant.parse("2026-11-23T21:15:00Z").getEpochSecond()), answer.path("context").path(FlexAuthorizer.EXPIRES).asText());
        assertEquals(List.of("flex-local-token-for-alice"), tokens);
    }

    @Test
    void aHeaderInAnyCaseIsReadAndABadTokenIsRefused() throws IOException {
        APIGatewayV2CustomAuthorizerEvent event = sample();
        var headers = new HashMap<>(event.getHeaders());
        headers.remove("authorization");
        headers.put("Authorization", "Bearer forged");
        event.setHeaders(headers);
        JsonNode answer = asLambdaWritesIt(function().handleRequest(event, null));
        assertFalse(answer.path("isAuthorized").asBoolean(true), answer.toString());
        assertEquals(List.of("forged"), tokens);
        event.setHeaders(null);
        assertFalse(function().handleRequest(event, null).getIsAuthorized(), "no headers at all");
    }
}
