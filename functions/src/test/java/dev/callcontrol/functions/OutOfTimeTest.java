package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.Json;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An invocation that Lambda gives too little time for a request (its remaining time no more than
 * the reserve kept for undoing and answering) sends none: the agent API answers a clear 504
 * {@code out_of_time} JSON, and a Twilio webhook a 504 that Twilio's retry (the URL asks for one on a
 * 5xx) can take. Never a 500, never internals.
 */
class OutOfTimeTest {
    private ServerSocket dynamoDb;
    private final AtomicInteger connections = new AtomicInteger();
    private DynamoDbClient client;
    private FakeTelephony telephony;
    private Config config;
    private CallControl calls;

    @BeforeEach
    void aDynamoDbThatCountsConnections() throws IOException {
        dynamoDb = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!dynamoDb.isClosed()) {
                try (var socket = dynamoDb.accept()) {
                    connections.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        client = DynamoDbClients.create(URI.create("http://127.0.0.1:" + dynamoDb.getLocalPort()), "us-east-1", false);
        telephony = new FakeTelephony();
        config = Config.of(Webhooks.localEnvironment());
        calls = new CallControl(new CallStore(client, "CallsTable", Clock.systemUTC()), telephony,
                new CallControl.Settings(config.publicBaseUrl(), config.callerId(), 20, List.of()));
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        dynamoDb.close();
    }

    /** Lambda's context with {@code millis} of the invocation left. */
    private static Context remaining(long millis) {
        return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[]{Context.class}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "getAwsRequestId" -> "out-of-time";
                    case "getFunctionName" -> "calls";
                    case "getRemainingTimeInMillis" -> (int) millis;
                    case "getMemoryLimitInMB" -> 1024;
                    default -> null;
                });
    }

    private static final long TOO_LITTLE = Deadline.RESERVE_MILLIS + Deadline.MIN_REQUEST_MILLIS / 2;

    @Test
    void theAgentApiAnswersA504JsonAndSendsNothing() {
        APIGatewayV2HTTPResponse response = new HoldFunction(config, calls).handleRequest(Webhooks.sample("hold.json"), remaining(TOO_LITTLE));
        assertEquals(504, response.getStatusCode(), response.getBody());
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        var error = Json.parse(response.getBody(), "the answer").path("error");
        assertEquals("out_of_time", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("try again"), response.getBody());
        assertFalse(response.getBody().contains("Exception") || response.getBody().contains("GetItem") || response.getBody().contains("DynamoDB"),
                "no internals: " + response.getBody());
        assertEquals(0, connections.get(), "DynamoDB was not asked");
        assertTrue(telephony.requests.isEmpty(), "nor Twilio");
    }

    @Test
    void aTwilioWebhookAnswersA504ThatTwilioRetries() {
        APIGatewayV2HTTPResponse response = new ConferenceEventsFunction(config, calls)
                .handleRequest(Webhooks.sample("conference-event-join.json"), remaining(TOO_LITTLE));
        assertEquals(504, response.getStatusCode(), response.getBody());
        assertEquals(0, connections.get());
    }
}
