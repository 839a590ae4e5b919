package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.config.Config;
import dev.callcontrol.config.ConfigurationException;
import dev.callcontrol.http.Json;
import dev.callcontrol.testing.NetworkTrap;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AssignmentCallbackFunctionTest {
    private static AssignmentCallbackFunction function() {
        return new AssignmentCallbackFunction(Config.of(Webhooks.localEnvironment()));
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) {
        return Json.parse(response.getBody(), "response");
    }

    @Test
    void voiceTaskIsAnsweredWithTheConferenceInstruction() {
        APIGatewayV2HTTPResponse response = function().handleRequest(Webhooks.sample("assignment-voice-task.json"), null);
        assertEquals(200, response.getStatusCode());
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        JsonNode instruction = body(response);
        assertEquals("conference", instruction.get("instruction").asText());
        assertEquals("+15005550006", instruction.get("from").asText(), "the number the customer called");
        assertEquals("client:alice", instruction.get("to").asText(), "the worker's contact_uri");
        assertEquals(20, instruction.get("timeout").asInt());
        assertFalse(instruction.get("end_conference_on_exit").asBoolean(true));
        assertTrue(instruction.get("end_conference_on_customer_exit").asBoolean());
        assertFalse(instruction.get("beep").asBoolean(true));
        assertEquals("http://127.0.0.1:3000/twilio/conference-events#" + dev.callcontrol.twilio.WebhookUrls.RETRIES, instruction.get("conference_status_callback").asText());
        assertTrue(instruction.get("conference_status_callback_event").asText().contains("join"));
    }

    @Test
    void malformedRequestIsA400SoTaskRouterUsesItsFallback() {
        APIGatewayV2HTTPResponse response = function().handleRequest(Webhooks.sample("assignment-malformed.json"), null);
        assertEquals(400, response.getStatusCode());
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        assertEquals("bad_request", body(response).path("error").path("code").asText());
        assertTrue(body(response).path("error").path("message").asText().contains("TaskAttributes"));
    }

    @Test
    void missingParametersAreA400() {
        APIGatewayV2HTTPEvent event = Webhooks.sample("assignment-voice-task.json");
        Map<String, String> form = Webhooks.form(event);
        form.remove("WorkerAttributes");
        APIGatewayV2HTTPResponse response = function().handleRequest(Webhooks.signed(Webhooks.withForm(event, form)), null);
        assertEquals(400, response.getStatusCode());
        assertTrue(response.getBody().contains("WorkerAttributes"), response.getBody());
    }

    @Test
    void transferTaskIsAnsweredWithTheCallInstructionThatLeavesAcceptingToTheAnsweredLeg() {
        APIGatewayV2HTTPResponse response = function().handleRequest(Webhooks.sample("assignment-transfer-task.json"), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        var instruction = body(response);
        assertEquals("call", instruction.path("instruction").asText());
        assertFalse(instruction.path("accept").asBoolean(true), "TaskRouter is not asked to accept: the answered leg accepts");
        assertEquals("client:alice", instruction.path("to").asText());
        assertTrue(instruction.path("url").asText().endsWith("/twilio/transfer-leg?call=WTfedcba9876543210fedcba9876543210"
                + "&task=WT0123456789abcdef0123456789abcdef&worker=WK00000000000000000000000000000001"
                + "&reservation=WR0123456789abcdef0123456789abcdef#" + dev.callcontrol.twilio.WebhookUrls.RETRIES), instruction.toString());
        assertTrue(instruction.path("status_callback_url").asText().contains("/twilio/call-events?call=WTfedcba9876543210fedcba9876543210"), instruction.toString());
        assertTrue(instruction.path("status_callback_url").asText().endsWith("&reservation=WR0123456789abcdef0123456789abcdef#" + dev.callcontrol.twilio.WebhookUrls.RETRIES),
                instruction.toString());
    }

    @Test
    void unsignedRequestIsForbidden() {
        APIGatewayV2HTTPResponse response = function().handleRequest(Webhooks.sample("assignment-unsigned.json"), null);
        assertEquals(403, response.getStatusCode());
        assertEquals("invalid_signature", body(response).path("error").path("code").asText());
    }

    @Test
    void tamperedRequestIsForbidden() {
        APIGatewayV2HTTPEvent event = Webhooks.sample("assignment-voice-task.json");
        Map<String, String> form = Webhooks.form(event);
        form.put("WorkerAttributes", "{\"contact_uri\":\"+15551230000\"}");
        APIGatewayV2HTTPResponse response = function().handleRequest(Webhooks.withForm(event, form), null);
        assertEquals(403, response.getStatusCode());
    }

    @Test
    void requestSignedForAnotherDeploymentIsForbidden() {
        APIGatewayV2HTTPEvent event = Webhooks.signed(Webhooks.sample("assignment-voice-task.json"), Webhooks.AUTH_TOKEN, "https://other.example.com");
        assertEquals(403, function().handleRequest(event, null).getStatusCode());
    }

    @Test
    void nullAttributeValuesAreAccepted() {
        APIGatewayV2HTTPEvent event = Webhooks.sample("assignment-voice-task.json");
        Map<String, String> form = Webhooks.form(event);
        form.put("TaskAttributes", "{\"call_sid\":\"CA0123456789abcdef0123456789abcdef\",\"called\":null,\"caller_name\":null}");
        form.put("WorkerAttributes", "{\"contact_uri\":\"client:alice\",\"team\":null}");
        APIGatewayV2HTTPResponse response = function().handleRequest(Webhooks.signed(Webhooks.withForm(event, form)), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals("+15005550006", body(response).get("from").asText(), "a null called number falls back to CALLER_ID");
    }

    @Test
    void malformedQueryStringIsForbiddenNotAnError() {
        APIGatewayV2HTTPEvent event = Webhooks.sample("assignment-voice-task.json");
        event.setRawQueryString("a=%zz");
        assertEquals(403, function().handleRequest(event, null).getStatusCode());
    }

    @Test
    void nonVoiceTaskIsLeftPending() {
        APIGatewayV2HTTPEvent event = Webhooks.sample("assignment-voice-task.json");
        Map<String, String> form = Webhooks.form(event);
        form.put("TaskAttributes", "{\"channel\":\"chat\"}");
        APIGatewayV2HTTPResponse response = function().handleRequest(Webhooks.signed(Webhooks.withForm(event, form)), null);
        assertEquals(200, response.getStatusCode());
        assertEquals("{}", response.getBody());
    }

    @Test
    void missingRequiredSettingStopsTheFunctionAtStartWithItsName() {
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.remove("CALLER_ID");
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> new AssignmentCallbackFunction(Config.of(env)));
        assertTrue(error.getMessage().contains("CALLER_ID"), error.getMessage());
    }

    /**
     * TaskRouter allows five seconds including a cold start, so the callback must not wait on any
     * network: DynamoDB and Twilio point at a socket that counts connections, and every proxy
     * lookup (how URLConnection and Apache's client find their route) is recorded.
     */
    @Test
    void answersWithoutAnyNetworkCall() throws Exception {
        try (NetworkTrap trap = new NetworkTrap()) {
            AssignmentCallbackFunction function = new AssignmentCallbackFunction(Config.of(trap.environment()));
            for (String sample : List.of("assignment-voice-task.json", "assignment-malformed.json", "assignment-transfer-task.json")) {
                function.handleRequest(Webhooks.sample(sample), null);
            }
            assertEquals(200, function.handleRequest(Webhooks.sample("assignment-voice-task.json"), null).getStatusCode());
            assertEquals(0, trap.connections(), "connections made to DynamoDB or Twilio");
            assertEquals(List.of(), trap.lookedUp(), "network destinations looked up");
        }
    }
}
