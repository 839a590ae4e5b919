package dev.callcontrol.local.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.api.client.EventHandlerLoader;
import com.amazonaws.services.lambda.runtime.api.client.HandlerInfo;
import com.amazonaws.services.lambda.runtime.api.client.LambdaRequestHandler;
import com.amazonaws.services.lambda.runtime.api.client.runtimeapi.dto.InvocationRequest;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.ApiFunction;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Lambda Runtime Interface Client, given {@code Class::handleRequest} for a product function,
 * calls the stream overload: the product's own reader answers a malformed event with a 400, where
 * the runtime's event serializer would have failed the invocation.
 */
class RuntimeEntryPointTest {
    /** A product function in miniature: echoes what it read. */
    public static final class Echo extends ApiFunction {
        public Echo() {
        }

        @Override
        public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
            return ApiResponses.json(200, Map.of("path", event.getRawPath(), "method", event.getRequestContext().getHttp().getMethod(),
                    "requestId", context.getAwsRequestId()));
        }

        @Override
        protected APIGatewayV2HTTPResponse rejection(HttpError error) {
            return ApiResponses.error(error);
        }
    }

    private static JsonNode invoke(byte[] event) throws Exception {
        LambdaRequestHandler handler = EventHandlerLoader.loadEventHandler(new HandlerInfo(Echo.class, "handleRequest"));
        InvocationRequest request = new InvocationRequest();
        request.setId("request-1");
        request.setInvokedFunctionArn("arn:aws:lambda:us-east-1:123456789012:function:echo");
        request.setDeadlineTimeInMs(System.currentTimeMillis() + 15_000);
        request.setContent(event);
        return Json.MAPPER.readTree(handler.call(request).toByteArray());
    }

    @Test
    void theRuntimeHandsTheProductTheRawEvent() throws Exception {
        JsonNode response = invoke(Files.readAllBytes(Path.of("..", "events", "hold.json")));
        assertEquals(200, response.get("statusCode").asInt());
        JsonNode body = Json.parse(response.get("body").asText(), "body");
        assertEquals("POST", body.get("method").asText());
        assertEquals("request-1", body.get("requestId").asText());
        assertEquals(Json.MAPPER.readTree(Files.readAllBytes(Path.of("..", "events", "hold.json"))).get("rawPath").asText(),
                body.get("path").asText());
    }

    @Test
    void aMalformedEventIsAnsweredByTheProduct() throws Exception {
        JsonNode response = invoke("{\"headers\":[]}".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, response.get("statusCode").asInt());
        assertEquals("bad_request", Json.parse(response.get("body").asText(), "body").path("error").path("code").asText());
    }
}
