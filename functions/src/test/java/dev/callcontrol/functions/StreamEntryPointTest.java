package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiFunction;
import dev.callcontrol.http.Json;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The entry point Lambda calls: the raw event in, the raw response out, with the same answers as the event overload. */
class StreamEntryPointTest {
    private static JsonNode invoke(ApiFunction function, byte[] event) throws IOException {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(event), output, null);
        return Json.MAPPER.readTree(output.toByteArray());
    }

    @Test
    void aSampleGetsTheAnswerTheEventOverloadGives() throws IOException {
        Config config = Config.of(Webhooks.localEnvironment());
        for (String sample : new String[] {"assignment-voice-task.json", "assignment-transfer-task.json", "assignment-unsigned.json"}) {
            JsonNode streamed = invoke(new AssignmentCallbackFunction(config), Files.readAllBytes(Project.event(sample)));
            APIGatewayV2HTTPResponse expected = new AssignmentCallbackFunction(config).handleRequest(Webhooks.sample(sample), null);
            assertEquals(expected.getStatusCode(), streamed.get("statusCode").asInt(), sample);
            assertEquals(expected.getBody(), streamed.get("body").asText(), sample);
            assertEquals(expected.getHeaders().get("Content-Type"), streamed.path("headers").path("Content-Type").asText(), sample);
            assertFalse(streamed.get("isBase64Encoded").asBoolean(), sample);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "[1]", "{\"headers\":\"x\"}", "{\"requestContext\":{\"http\":[]}}"})
    void anUnreadableEventIsA400ForTwilioAndForTheAgentApi(String event) throws IOException {
        Config config = Config.of(Webhooks.localEnvironment());
        for (ApiFunction function : new ApiFunction[] {new AssignmentCallbackFunction(config), new HoldMusicFunction(config), new GetCallFunction(config)}) {
            JsonNode response = invoke(function, event.getBytes(StandardCharsets.UTF_8));
            assertEquals(400, response.get("statusCode").asInt(), function.getClass().getSimpleName());
            JsonNode body = Json.parse(response.get("body").asText(), "body");
            assertEquals("bad_request", body.path("error").path("code").asText(), response.toString());
        }
    }
}
