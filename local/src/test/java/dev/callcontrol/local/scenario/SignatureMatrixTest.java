package dev.callcontrol.local.scenario;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.LocalDefaults;
import dev.callcontrol.local.SamTemplate;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.SignatureVerifier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code /twilio/*} route of template.yaml (so a new route is covered without editing this
 * test) gets its sample request with a valid signature, with none, with a wrong one, with one
 * computed for another URL, with one over other parameters, and as a JSON body whose
 * {@code bodySHA256} does not match, and (posts) with a repeated parameter signed over its first value
 * only, and with a signature made with an auth token retired by a rotation. The validly signed
 * post carries a repeated parameter signed over all its values, as Twilio signs it. Only validly
 * signed requests run: with the auth token, and with the secondary auth token of a rotation under
 * way (issue 19, finding 2); every other one gets 403 and leaves no trace: no Twilio request in the
 * simulator's log and no call record.
 *
 * <p>The runtime runs as deployed in two more ways. Its secrets are in a Secrets Manager secret, not
 * in any function's configuration ({@code LOCAL_SECRETS=secrets-manager}; finding 7), so every
 * signature above is checked against tokens read from the secret, and every REST request the
 * functions send authenticates with the API key (checked after each case by {@link CallCentreScenario}).
 * And API Gateway's route throttles from template.yaml are on ({@code LOCAL_THROTTLING=template};
 * finding 6): a flood of unsigned requests is answered 429 beyond its route's bucket without
 * invoking the function, and the requests let through are refused with no trace.
 */
@CallCentreScenario.WithSettings({"TWILIO_SECONDARY_AUTH_TOKEN=" + SignatureMatrixTest.SECONDARY, "LOCAL_SECRETS=secrets-manager",
        "LOCAL_THROTTLING=template"})
class SignatureMatrixTest extends CallCentreScenario {
    /** The token Twilio will sign with once the rotation under way is promoted. */
    static final String SECONDARY = "s3c0ndary-t0ken-0f-a-r0tati0n-00";
    /** The token a finished rotation replaced: out of the secret, so its signatures are no longer Twilio's. */
    private static final String RETIRED = "ret1red-t0ken-0f-the-last-r0t-00";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestFactory
    Stream<DynamicTest> onlyAValidTwilioSignatureGetsARequestExecuted() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (SamTemplate.Function function : SamTemplate.read(Project.template()).functions()) {
            for (SamTemplate.Route route : function.routes()) {
                if (route.path().startsWith("/twilio/")) {
                    tests.add(DynamicTest.dynamicTest(route.method() + " " + route.path(), () -> matrix(route)));
                }
            }
        }
        assertTrue(tests.size() >= 9, "every Twilio route is covered: " + tests.size());
        return tests.stream();
    }

    private void matrix(SamTemplate.Route route) throws Exception {
        APIGatewayV2HTTPEvent sample = sampleFor(route);
        String query = sample.getRawQueryString() == null ? "" : sample.getRawQueryString();
        String url = runtime.baseUrl() + route.path() + (query.isEmpty() ? "" : "?" + query);
        Map<String, String> form = route.method().equals("GET") ? Map.of() : Webhooks.form(sample);
        String taskSid = form.getOrDefault("FriendlyName", form.get("TaskSid"));
        Map<String, String> tampered = new LinkedHashMap<>(form);
        tampered.put(form.isEmpty() ? "Extra" : form.keySet().iterator().next(), "tampered");
        String body = Webhooks.encode(form);

        String recordBefore = taskSid == null ? null : signIn("sam").get("/calls/" + taskSid).toString();
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("no signature", send(route.method(), url, body, null, "application/x-www-form-urlencoded"));
        refused.put("a wrong signature", send(route.method(), url, body, "bm90IGEgc2lnbmF0dXJl", "application/x-www-form-urlencoded"));
        refused.put("a signature for another URL", send(route.method(), url, body,
                SignatureVerifier.sign(LocalDefaults.AUTH_TOKEN, runtime.baseUrl() + "/twilio/elsewhere", form), "application/x-www-form-urlencoded"));
        refused.put("a signature over other parameters", send(route.method(), url, body,
                SignatureVerifier.sign(LocalDefaults.AUTH_TOKEN, url, tampered), "application/x-www-form-urlencoded"));
        // Issue 19, finding 2: a token a rotation retired signs nothing Twilio sends any more.
        refused.put("a signature with a retired auth token", send(route.method(), url, body,
                SignatureVerifier.sign(RETIRED, url, form), "application/x-www-form-urlencoded"));
        if (route.method().equals("POST")) {
            // Issue 19, finding 8: a repeated parameter whose signature covers only its first value.
            String repeated = body + (body.isEmpty() ? "" : "&") + "Extra=signed&Extra=smuggled";
            Map<String, String> firstOnly = new LinkedHashMap<>(form);
            firstOnly.put("Extra", "signed");
            refused.put("a signature over the first of a repeated parameter's values", send("POST", url, repeated,
                    SignatureVerifier.sign(LocalDefaults.AUTH_TOKEN, url, firstOnly), "application/x-www-form-urlencoded"));
            String json = "{\"CallSid\":\"CA00000000000000000000000000000a01\"}";
            String hashOfAnotherBody = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("{}".getBytes(StandardCharsets.UTF_8)));
            String jsonUrl = url + (url.contains("?") ? "&" : "?") + "bodySHA256=" + hashOfAnotherBody;
            refused.put("a JSON body whose bodySHA256 does not match", send("POST", jsonUrl, json,
                    SignatureVerifier.sign(LocalDefaults.AUTH_TOKEN, jsonUrl, Map.of()), "application/json"));
        }
        sim.clearRequests();
        refused.forEach((variant, status) -> assertEquals("403", status, route.method() + " " + route.path() + " with " + variant));
        assertEquals(List.of(), sim.requests(), "refused requests made no Twilio request");
        if (taskSid != null) {
            assertEquals(recordBefore, signIn("sam").get("/calls/" + taskSid).toString(), "refused requests changed no call record");
        }

        String accepted;
        if (route.method().equals("POST")) {
            // Signed as Twilio signs a repeated parameter: every value, sorted (twilio-node's validateRequest).
            Map<String, List<String>> all = new LinkedHashMap<>();
            form.forEach((name, value) -> all.put(name, List.of(value)));
            all.put("Extra", List.of("two", "one"));
            accepted = send("POST", url, body + (body.isEmpty() ? "" : "&") + "Extra=two&Extra=one",
                    SignatureVerifier.signForm(LocalDefaults.AUTH_TOKEN, url, all), "application/x-www-form-urlencoded");
        } else {
            accepted = send(route.method(), url, body, SignatureVerifier.sign(LocalDefaults.AUTH_TOKEN, url, form), "application/x-www-form-urlencoded");
        }
        assertNotEquals("403", accepted, route.method() + " " + route.path() + " with a valid signature ran");
        // During a rotation Twilio may sign with the secondary token before every container has read it as the primary.
        String secondary = send(route.method(), url, body, SignatureVerifier.sign(SECONDARY, url, form), "application/x-www-form-urlencoded");
        assertNotEquals("403", secondary, route.method() + " " + route.path() + " signed with the secondary auth token ran");
        sim.clearAlerts();
    }

    /**
     * Issue 19, finding 6: a flood of unsigned requests on the assignment callback. API Gateway lets
     * through what the route's token bucket holds ({@code TwilioRouteBurstLimit}, refilled at
     * {@code TwilioRouteRateLimit} a second) and answers the rest 429 itself; the function runs only
     * for the requests let through, and refuses each (403) before anything reaches Twilio. Another
     * Twilio route's bucket is untouched: a conference event signed by Twilio meanwhile runs.
     */
    @org.junit.jupiter.api.Test
    void aFloodOfUnsignedRequestsIsAnswered429ByApiGatewayBeyondTheRoutesBucketAndInvokesNothingMore() throws Exception {
        RouteFlood flood = RouteFlood.of("TwilioRoute");
        String url = runtime.baseUrl() + "/twilio/assignment";
        String body = Webhooks.encode(Webhooks.form(Webhooks.sample("assignment-voice-task.json")));
        sim.clearRequests();
        flood.send(HTTP, () -> HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), runtime, "AssignmentCallbackFunction", 403);
        assertEquals(List.of(), sim.requests(), "the refused requests made no Twilio request");

        // Another route's bucket: a conference event Twilio signed still runs.
        APIGatewayV2HTTPEvent event = Webhooks.sample("conference-event-join.json");
        String eventsUrl = runtime.baseUrl() + "/twilio/conference-events";
        Map<String, String> form = Webhooks.form(event);
        String status = send("POST", eventsUrl, Webhooks.encode(form), SignatureVerifier.sign(LocalDefaults.AUTH_TOKEN, eventsUrl, form),
                "application/x-www-form-urlencoded");
        assertNotEquals("429", status, "another route is not throttled by this one's flood");
        assertNotEquals("403", status);
        sim.clearAlerts();
        // The next case finds the route's bucket full again: simulated time refills it as real time would.
        sim.advance(flood.refillSeconds());
    }

    /**
     * Issue 19, finding 7: no function's configuration (what {@code lambda:GetFunctionConfiguration}
     * shows, and every published version keeps) holds the auth tokens or the API key's secret; each
     * function names the secret, which the functions read from Secrets Manager when they started.
     */
    @org.junit.jupiter.api.Test
    void noFunctionsConfigurationHoldsASecretAndTheFunctionsReadItFromSecretsManager() throws IOException {
        var secretsManager = runtime.secretsManager().orElseThrow();
        List<String> secrets = List.of(LocalDefaults.AUTH_TOKEN, SECONDARY, LocalDefaults.API_KEY_SECRET);
        int functions = 0;
        for (SamTemplate.Function function : SamTemplate.read(Project.template()).functions()) {
            Map<String, String> configuration = runtime.environment(function.logicalId());
            for (Map.Entry<String, String> variable : configuration.entrySet()) {
                for (String secret : secrets) {
                    assertTrue(!variable.getValue().contains(secret), function.logicalId() + " has a secret in " + variable.getKey());
                }
            }
            String secretId = configuration.get("TWILIO_SECRET_ID");
            assertTrue(secretId != null && !secretId.isBlank(), function.logicalId() + " names its secret");
            assertTrue(secretsManager.reads(secretId) > 0, "the secret " + secretId + " was read");
            functions++;
        }
        assertTrue(functions >= 20, "every function: " + functions);
    }

    /** The route's sample event in events/, or the one of the same path with another method (every function has one). */
    private static APIGatewayV2HTTPEvent sampleFor(SamTemplate.Route route) throws IOException {
        String samePath = null;
        try (Stream<Path> files = Files.list(Project.root().resolve("events"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json") && !f.getFileName().toString().equals("env.json")).sorted().toList()) {
                String routeKey = Json.MAPPER.readTree(file.toFile()).path("routeKey").asText();
                if (routeKey.equals(route.method() + " " + route.path())) {
                    return Webhooks.sample(file.getFileName().toString());
                }
                if (routeKey.endsWith(" " + route.path())) {
                    samePath = file.getFileName().toString();
                }
            }
        }
        if (samePath == null) {
            throw new AssertionError("no sample event for " + route.path());
        }
        return Webhooks.sample(samePath);
    }

    private static String send(String method, String url, String body, String signature, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (signature != null) {
            request.header(SignatureVerifier.HEADER, signature);
        }
        if (method.equals("GET")) {
            request.GET();
        } else {
            request.header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        }
        return String.valueOf(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
