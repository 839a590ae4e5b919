package dev.callcontrol.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The product reads events and writes responses exactly as the Lambda runtime's serializer does. */
class ApiGatewayJsonTest {
    private static final PojoSerializer<APIGatewayV2HTTPEvent> RUNTIME_EVENTS =
            LambdaEventSerializers.serializerFor(APIGatewayV2HTTPEvent.class, ApiGatewayJsonTest.class.getClassLoader());
    private static final PojoSerializer<APIGatewayV2HTTPResponse> RUNTIME_RESPONSES =
            LambdaEventSerializers.serializerFor(APIGatewayV2HTTPResponse.class, ApiGatewayJsonTest.class.getClassLoader());

    static Stream<String> samples() throws IOException {
        try (Stream<Path> files = Files.list(Project.root().resolve("events"))) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".json") && !name.equals("env.json") && !scheduled(name) && !authorizerRequest(name))
                    .sorted().toList().stream();
        }
    }

    /** A scheduled function's sample (an EventBridge event, not API Gateway's). */
    private static boolean scheduled(String sample) {
        try {
            return Files.readString(Project.event(sample)).contains("\"detail-type\"");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A Lambda authorizer's sample (its own event type, not the function's request). */
    private static boolean authorizerRequest(String sample) {
        try {
            return Files.readString(Project.event(sample)).contains("\"type\": \"REQUEST\"");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static APIGatewayV2HTTPEvent read(String json) {
        return ApiGatewayJson.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everySampleEventReadsAsTheRuntimeReadsIt(String sample) throws IOException {
        APIGatewayV2HTTPEvent ours = ApiGatewayJson.read(Files.newInputStream(Project.event(sample)));
        assertEquals(Webhooks.sample(sample), ours);
    }

    @Test
    void everyFieldOfAFullEventSurvives() {
        var context = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withRouteKey("POST /api/calls/{taskSid}/hold").withAccountId("123456789012").withStage("prod")
                .withApiId("abc123").withDomainName("abc123.execute-api.eu-west-1.amazonaws.com").withDomainPrefix("abc123")
                .withTime("24/Nov/2026:10:00:00 +0000").withTimeEpoch(1_795_000_000_000L).withRequestId("req-1")
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").withPath("/prod/api/calls/x/hold")
                        .withProtocol("HTTP/1.1").withSourceIp("203.0.113.9").withUserAgent("agent-ui/1.0").build())
                .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                        .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                                .withClaims(Map.of("sub", "alice", "cognito:groups", "[agents supervisors]"))
                                .withScopes(List.of("calls/write")).build())
                        .withLambda(Map.of("tenant", "north", "level", 3)).build())
                .build();
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("POST /api/calls/{taskSid}/hold")
                .withRawPath("/prod/api/calls/x/hold").withRawQueryString("a=1&b=%20").withCookies(List.of("c=1", "d=2"))
                .withHeaders(Map.of("content-type", "application/json", "x-multi", "a,b"))
                .withQueryStringParameters(Map.of("a", "1", "b", " ")).withPathParameters(Map.of("taskSid", "x"))
                .withStageVariables(Map.of("s", "v")).withBody("eyJhIjoxfQ==").withIsBase64Encoded(true)
                .withRequestContext(context).build();
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        RUNTIME_EVENTS.toJson(event, json);
        assertEquals(event, read(json.toString(StandardCharsets.UTF_8)));
    }

    @Test
    void responsesAreWrittenAsTheRuntimeWritesThem() throws IOException {
        var full = APIGatewayV2HTTPResponse.builder().withStatusCode(201).withHeaders(Map.of("Content-Type", "text/xml"))
                .withMultiValueHeaders(Map.of("Vary", List.of("Origin", "Accept"))).withCookies(List.of("s=1"))
                .withBody("<Response><Say>\u00e9t\u00e9 \"quoted\"</Say></Response>").withIsBase64Encoded(false).build();
        var bare = APIGatewayV2HTTPResponse.builder().withStatusCode(204).build();
        for (APIGatewayV2HTTPResponse response : List.of(full, bare)) {
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            ApiGatewayJson.write(response, ours);
            ByteArrayOutputStream runtime = new ByteArrayOutputStream();
            RUNTIME_RESPONSES.toJson(response, runtime);
            assertEquals(Json.MAPPER.readTree(runtime.toByteArray()), Json.MAPPER.readTree(ours.toByteArray()));
            assertEquals(response, RUNTIME_RESPONSES.fromJson(new ByteArrayInputStream(ours.toByteArray())));
        }
    }

    @Test
    void aValueThatIsNotAStringIsReadAsItsTextAsTheRuntimeDoes() {
        APIGatewayV2HTTPEvent event = read("{\"headers\":{\"x-n\":5,\"x-b\":true},\"requestContext\":{\"timeEpoch\":\"12\"}}");
        assertEquals(Map.of("x-n", "5", "x-b", "true"), event.getHeaders());
        assertEquals(12L, event.getRequestContext().getTimeEpoch());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "\"text\"", "{} {}", "{\"a\":1,\"a\":2}", "{\"headers\":[]}",
            "{\"headers\":{\"x\":1}", "{\"isBase64Encoded\":\"yes\"}", "{\"cookies\":\"c=1\"}", "{\"cookies\":[{}]}",
            "{\"rawPath\":{}}", "{\"requestContext\":[]}", "{\"requestContext\":{\"http\":\"GET\"}}",
            "{\"requestContext\":{\"timeEpoch\":\"soon\"}}", "{\"requestContext\":{\"authorizer\":{\"jwt\":{\"claims\":7}}}}"})
    void anythingElseIsA400(String json) {
        HttpError error = assertThrows(HttpError.class, () -> read(json));
        assertEquals(400, error.status());
        assertNotNull(error.getMessage());
    }
}
