package dev.callcontrol.local;

import dev.callcontrol.config.Setting;
import dev.callcontrol.testing.Project;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19, finding 3: with {@code LOCAL_TWILIO=real} the workers are real and the port may be
 * reachable through a tunnel, so the local runtime's {@code /dev/*} routes (tokens for any worker,
 * DynamoDB faults, the reconciler) answer 404 unless {@code LOCAL_DEV_SECRET} is set and sent, and
 * {@code DIAL_PREFIXES} keeps its empty default (the simulator's {@code +1} does not apply). No
 * request reaches Twilio: every refusal happens before one could be made.
 */
class DevRoutesAgainstRealTwilioTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static Map<String, String> real() {
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_TEMPLATE", Project.template().toString());
        env.put("LOCAL_PORT", "0");
        env.put("LOCAL_TWILIO", "real");
        env.put(Setting.TWILIO_ACCOUNT_SID.name(), "AC00000000000000000000000000000009");
        env.put(Setting.TWILIO_AUTH_TOKEN.name(), "not-a-real-token");
        env.put(Setting.PUBLIC_BASE_URL.name(), "https://tunnel.example.com");
        return env;
    }

    private static HttpResponse<String> send(LocalRuntime runtime, String method, String path, String secret) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.ofString("{\"worker\":\"alice\"}"));
        if (secret != null) {
            request.header(DevGate.HEADER, secret);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutASecretEveryDevRouteIsA404AndNothingIsDialled() throws Exception {
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.fromEnvironment(real()))) {
            for (String[] route : new String[][] {{"POST", "/dev/token"}, {"POST", "/dev/reconcile"}, {"GET", "/dev/faults/dynamodb"},
                    {"POST", "/dev/faults/dynamodb"}, {"DELETE", "/dev/faults/dynamodb"}}) {
                HttpResponse<String> answer = send(runtime, route[0], route[1], null);
                assertEquals(404, answer.statusCode(), route[0] + " " + route[1] + ": " + answer.body());
                assertTrue(answer.body().contains("\"not_found\""), answer.body());
                assertEquals(404, send(runtime, route[0], route[1], "a guess").statusCode(), "a secret that was never set opens nothing");
            }
            assertEquals("", runtime.environment("OutboundCallFunction").get(Setting.DIAL_PREFIXES.name()),
                    "against real Twilio nothing is dialled until DIAL_PREFIXES says so");
        }
    }

    @Test
    void withTheSecretSentTheDevRoutesAnswer() throws Exception {
        Map<String, String> env = real();
        env.put(DevGate.SECRET_VARIABLE, "s3cret-for-this-test");
        env.put(Setting.DIAL_PREFIXES.name(), "+44");
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.fromEnvironment(env))) {
            assertEquals(404, send(runtime, "GET", "/dev/faults/dynamodb", null).statusCode());
            assertEquals(404, send(runtime, "GET", "/dev/faults/dynamodb", "s3cret-for-this-tes").statusCode());
            HttpResponse<String> open = send(runtime, "GET", "/dev/faults/dynamodb", "s3cret-for-this-test");
            assertEquals(200, open.statusCode(), open.body());
            assertEquals("+44", runtime.environment("OutboundCallFunction").get(Setting.DIAL_PREFIXES.name()), "a DIAL_PREFIXES that is set applies");
        }
    }

    @Test
    void againstTheSimulatorTheDevRoutesStayOpenAndTheDemoDialsPlusOne() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_TEMPLATE", Project.template().toString());
        env.put("LOCAL_PORT", "0");
        env.put("LOCAL_SIMULATOR_PORT", "0");
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.fromEnvironment(env))) {
            assertEquals(200, send(runtime, "GET", "/dev/faults/dynamodb", null).statusCode());
            assertEquals("+1", runtime.environment("OutboundCallFunction").get(Setting.DIAL_PREFIXES.name()));
        }
    }
}
