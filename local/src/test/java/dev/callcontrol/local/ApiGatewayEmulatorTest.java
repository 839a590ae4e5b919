package dev.callcontrol.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The events the emulator builds look like what an HTTP API sends with payload format 2.0. */
class ApiGatewayEmulatorTest {
    private final AtomicReference<APIGatewayV2HTTPEvent> received = new AtomicReference<>();
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> recorder = (event, context) -> {
            received.set(event);
            return APIGatewayV2HTTPResponse.builder().withStatusCode(201)
                    .withHeaders(Map.of("Content-Type", "text/plain", "X-Remaining", Integer.toString(context.getRemainingTimeInMillis())))
                    .withCookies(List.of("a=1"))
                    .withBody(Base64.getEncoder().encodeToString("done".getBytes(StandardCharsets.UTF_8)))
                    .withIsBase64Encoded(true).build();
        };
        var function = new SamTemplate.Function("HoldFunction", "x.Hold::handleRequest", 512, 10, Map.of(), List.of());
        var route = new SamTemplate.Route("POST", "/calls/{taskSid}/hold", "HoldFunction", true);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", new ApiGatewayEmulator(List.of(ApiGatewayEmulator.bind(route, function, recorder)), 1024));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpResponse<String> post(String pathAndQuery, String contentType, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery))
                .header("Content-Type", contentType).header("X-Custom", "Value").header("Cookie", "session=abc; theme=dark")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void formPostsArriveBase64EncodedWithPayload2Fields() throws Exception {
        HttpResponse<String> response = post("/calls/WT0123/hold?x=1&x=2&y=a%20b", "application/x-www-form-urlencoded", "Hold=true");
        assertEquals(201, response.statusCode());
        assertEquals("done", response.body(), "base64 response bodies are decoded");
        assertEquals("a=1", response.headers().firstValue("Set-Cookie").orElseThrow());
        assertTrue(Integer.parseInt(response.headers().firstValue("X-Remaining").orElseThrow()) > 9000, "the template's timeout drives the context");

        APIGatewayV2HTTPEvent event = received.get();
        assertEquals("2.0", event.getVersion());
        assertEquals("POST /calls/{taskSid}/hold", event.getRouteKey());
        assertEquals("/calls/WT0123/hold", event.getRawPath());
        assertEquals("x=1&x=2&y=a%20b", event.getRawQueryString());
        assertEquals(Map.of("x", "1,2", "y", "a b"), event.getQueryStringParameters());
        assertEquals(Map.of("taskSid", "WT0123"), event.getPathParameters());
        assertEquals("Value", event.getHeaders().get("x-custom"), "header names are lower case");
        assertFalse(event.getHeaders().containsKey("cookie"));
        assertEquals(List.of("session=abc", "theme=dark"), event.getCookies());
        assertTrue(event.getIsBase64Encoded());
        assertEquals("Hold=true", new String(Base64.getDecoder().decode(event.getBody()), StandardCharsets.UTF_8));
        assertEquals("POST", event.getRequestContext().getHttp().getMethod());
        assertEquals("$default", event.getRequestContext().getStage());
    }

    @Test
    void jsonBodiesArriveAsText() throws Exception {
        post("/calls/WT0123/hold", "application/json; charset=utf-8", "{\"hold\":true}");
        assertFalse(received.get().getIsBase64Encoded());
        assertEquals("{\"hold\":true}", received.get().getBody());
    }

    @Test
    void bodiesOverTheLimitAreRefusedBeforeTheFunction() throws Exception {
        assertEquals(413, post("/calls/WT0123/hold", "application/json", "x".repeat(2000)).statusCode());
        assertEquals(null, received.get());
    }
}
