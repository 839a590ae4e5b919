package dev.callcontrol.local.scenario;

import dev.callcontrol.http.Json;
import dev.callcontrol.local.SamTemplate;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.testing.Project;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every agent route of template.yaml × {no token, expired token, wrong issuer, wrong audience, an
 * impostor, the connected agent, another agent, a supervisor}, with the status each must get. A
 * route with no row below fails the test, so a new route cannot be added without its authorisation
 * rules. The impostor is another agent whose worker claim names the connected agent, as a user who
 * edited their own worker attribute would hold it (issue 19, finding 1): under
 * {@code AUTH_WORKER_BINDING=claim} (this class) the identity provider, the template's user pool,
 * refuses the edit, and under {@code worker-attribute} ({@link AuthorisationMatrixBoundWorkersTest},
 * which runs every case of this class again) every route refuses the token, 403
 * {@code worker_not_bound}. And {@code Idempotency-Key} after authorisation (finding 4): a key is
 * the caller's own on the call, a refusal is not kept, a crashed request's key frees itself, and
 * {@code POST /calls} with one key rings once. And what an agent may have the product dial (finding
 * 5): at most {@code AGENT_DIALS_PER_MINUTE} calls a minute, and every leg to a number carries a
 * {@code TimeLimit} at which Twilio cuts it. API Gateway's route throttles from template.yaml are on
 * (finding 6): a burst beyond an agent route's bucket is answered 429 without invoking its function.
 * And the local runtime's own {@code /dev/*} routes, which mint any worker's token, do not exist for
 * anyone when it runs against real Twilio (finding 3).
 */
@CallCentreScenario.WithSettings({AuthorisationMatrixTest.DIALS_PER_MINUTE, AuthorisationMatrixTest.THROTTLED})
class AuthorisationMatrixTest extends CallCentreScenario {
    /** Few enough to reach in a case; each case starts in a minute of its own ({@code resetCallCentre} moves the clock on a minute). */
    static final String DIALS_PER_MINUTE = "AGENT_DIALS_PER_MINUTE=3";
    /** API Gateway's route throttles as template.yaml sets them (the other scenarios run without). */
    static final String THROTTLED = "LOCAL_THROTTLING=template";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** How to exercise a route: the call it needs, the body, and the status for the agent, another agent and a supervisor. */
    private record Row(Consumer<Connected> setup, Object body, int agent, int other, int supervisor) {
    }

    private static final Consumer<Connected> NOTHING = call -> { };
    private static final Consumer<Connected> WARM_RINGING = call ->
            signIn(call.agent()).post("/calls/" + call.task() + "/warm-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
    /** The agent hangs up, which ends the call: their task is in wrap-up. */
    private static final Consumer<Connected> CALL_ENDED = call -> hangUp(call.agent());
    private static final Consumer<Connected> WARM_CONSULTING = WARM_RINGING.andThen(call -> sim.answer(sim.ringing("carol")));
    /** The call's added party's leg, which {@code {callSid}} in a route stands for (set by {@link #PARTY_ON}). */
    private static String partyLeg;
    /** The agent adds a number and it answers: a party on the call. */
    private static final Consumer<Connected> PARTY_ON = call -> {
        signIn(call.agent()).post("/calls/" + call.task() + "/participants", Map.of("to", Map.of("number", "+14155550979")));
        partyLeg = sim.ringing("+14155550979");
        sim.answer(partyLeg);
    };

    private static final Map<String, Row> ROWS = Map.ofEntries(
            Map.entry("GET /calls/{taskSid}", new Row(NOTHING, null, 200, 403, 200)),
            // Everyone may list; what each sees is ListCallsScenarioTest's.
            Map.entry("GET /calls", new Row(NOTHING, null, 200, 200, 200)),
            // The workspace's directory is for every agent (the console's transfer targets).
            Map.entry("GET /directory", new Row(NOTHING, null, 200, 200, 200)),
            Map.entry("POST /calls/{taskSid}/hold", new Row(NOTHING, Map.of("hold", true), 200, 403, 403)),
            Map.entry("POST /calls/{taskSid}/cold-transfer", new Row(NOTHING, Map.of("to", Map.of("queue", "sales")), 202, 403, 403)),
            Map.entry("POST /calls/{taskSid}/supervisor", new Row(NOTHING, Map.of("mode", "monitor"), 403, 403, 200)),
            Map.entry("DELETE /calls/{taskSid}/supervisor", new Row(NOTHING, null, 403, 403, 200)),
            Map.entry("POST /calls/{taskSid}/hangup", new Row(NOTHING, Map.of(), 200, 403, 200)),
            Map.entry("POST /calls/{taskSid}/wrap-up", new Row(CALL_ENDED, Map.of("disposition", "resolved"), 200, 403, 403)),
            // The matrix's calls are not recorded (CONFERENCE_RECORD's default): the connected agent passes and is told no_recording.
            Map.entry("POST /calls/{taskSid}/recording", new Row(NOTHING, Map.of("action", "pause"), 409, 403, 403)),
            Map.entry("POST /calls", new Row(NOTHING, Map.of("to", "+14155550199"), 202, 202, 202)),
            Map.entry("POST /calls/{taskSid}/warm-transfer", new Row(NOTHING, Map.of("to", Map.of("worker", DemoWorkspace.CAROL)), 201, 403, 403)),
            Map.entry("GET /calls/{taskSid}/warm-transfer", new Row(WARM_RINGING, null, 200, 403, 200)),
            Map.entry("POST /calls/{taskSid}/warm-transfer/three-way", new Row(WARM_CONSULTING, Map.of(), 200, 403, 403)),
            Map.entry("POST /calls/{taskSid}/warm-transfer/complete", new Row(WARM_CONSULTING, Map.of(), 200, 403, 403)),
            Map.entry("POST /calls/{taskSid}/warm-transfer/cancel", new Row(WARM_RINGING, Map.of(), 200, 403, 403)),
            Map.entry("POST /calls/{taskSid}/participants", new Row(NOTHING, Map.of("to", Map.of("number", "+14155550979")), 201, 403, 403)),
            Map.entry("DELETE /calls/{taskSid}/participants/{callSid}", new Row(PARTY_ON, null, 200, 403, 403)));

    @TestFactory
    Stream<DynamicTest> everyAgentRouteAuthorisesAsDocumented() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (SamTemplate.Function function : SamTemplate.read(Project.template()).functions()) {
            for (SamTemplate.Route route : function.routes()) {
                if (route.authorized()) {
                    String key = route.method() + " " + route.path();
                    tests.add(DynamicTest.dynamicTest(key, () -> matrix(key, ROWS.get(key))));
                }
            }
        }
        assertEquals(ROWS.size(), tests.size(), "every row is a route of template.yaml and every agent route has a row");
        return tests.stream();
    }

    private void matrix(String route, Row row) throws Exception {
        if (row == null) {
            throw new AssertionError(route + " has no row in the authorisation matrix");
        }
        String method = route.substring(0, route.indexOf(' '));
        for (String principal : List.of("none", "expired", "wrong issuer", "wrong audience", "impostor", "other", "supervisor", "agent")) {
            int expected = switch (principal) {
                case "none" -> 401;
                // The JWT authorizer answers a bad token 401; a Lambda authorizer's refusal (simple responses) is a 403.
                case "expired", "wrong issuer", "wrong audience" -> FLEX ? 403 : 401;
                case "impostor" -> 403;
                case "other" -> row.other();
                case "supervisor" -> row.supervisor();
                default -> row.agent();
            };
            // Each allowed principal gets a call of its own, so that what one did does not decide what the next gets.
            Connected call = connect("+1415555" + String.format("%04d", (route.hashCode() & 0x7fff) % 10000));
            row.setup().accept(call);
            String path = route.substring(route.indexOf(' ') + 1).replace("{taskSid}", call.task());
            if (principal.equals("impostor") && FLEX) {
                // A Flex token names the worker Twilio's IAM has for the user: there is no claim a user could edit.
                resetCallCentre(sim, twilio);
                continue;
            }
            if (principal.equals("impostor") && !workersBound()) {
                // The stack's own user pool: its app client cannot write the worker attribute, so no such token is issued.
                HttpResponse<String> refused = mint(call.other(), Map.of("workerClaim", WORKERS.get(call.agent())));
                assertEquals(403, refused.statusCode(), route + ": the user pool refuses the edit: " + refused.body());
                assertEquals("attribute_not_writable", Json.parse(refused.body(), "answer").path("error").path("code").asText());
                resetCallCentre(sim, twilio);
                continue;
            }
            if (path.contains("{callSid}")) {
                path = path.replace("{callSid}", partyLeg);
            }
            String token = switch (principal) {
                case "none" -> null;
                case "impostor" -> token(call.other(), Map.of("workerClaim", WORKERS.get(call.agent())));
                case "expired" -> token(call.agent(), Map.of("ttlSeconds", -60));
                case "wrong issuer" -> token(call.agent(), Map.of("issuer", "https://someone-else.example.com/"));
                case "wrong audience" -> token(call.agent(), Map.of("audience", "another-api"));
                case "other" -> token(call.other(), Map.of());
                case "supervisor" -> token("sam", Map.of());
                default -> token(call.agent(), Map.of());
            };
            HttpResponse<String> answer = exchange(method, path, token, row.body());
            assertEquals(expected, answer.statusCode(), route + " as " + principal + ": " + answer.body());
            if (principal.equals("impostor")) {
                assertEquals("worker_not_bound", Json.parse(answer.body(), "answer").path("error").path("code").asText(), route);
            }
            resetCallCentre(sim, twilio);
        }
    }

    /**
     * Issue 19, finding 1, as deployed under {@code AUTH_WORKER_BINDING=claim}: what the local identity
     * provider plays (the impostor's edit refused) is the template's own user pool, whose app client
     * reads the worker attribute and cannot write it.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theStacksUserPoolClientReadsTheWorkerAttributeAndCannotWriteIt() throws IOException {
        Map<String, Object> resources = SamTemplate.read(Project.template()).resources();
        List<Map<String, Object>> clients = resources.values().stream().map(r -> (Map<String, Object>) r)
                .filter(r -> "AWS::Cognito::UserPoolClient".equals(r.get("Type"))).toList();
        assertEquals(1, clients.size(), "one app client for the agent UI");
        Map<String, Object> properties = (Map<String, Object>) clients.get(0).get("Properties");
        String claim = runtime.environment("GetCallFunction").get("AUTH_WORKER_CLAIM");
        assertTrue(((List<Object>) properties.get("ReadAttributes")).contains(claim), "the UI can read " + claim);
        List<Object> writable = (List<Object>) properties.get("WriteAttributes");
        assertTrue(writable != null && !writable.contains(claim),
                "WriteAttributes must be listed (without it every attribute is writable) and must not hold " + claim + ": " + writable);
    }

    // ------------------------------------------------------------------ Idempotency-Key after authorisation

    @AfterEach
    void nothingLeftForTheNextCase() throws Exception {
        noDynamoDbFaultsLeft();
        resetCallCentre(sim, twilio);
    }

    private static void noDynamoDbFaultsLeft() throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(runtime.baseUrl() + "/dev/faults/dynamodb")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anotherWorkersKeyOnACallIsNeitherPlantedForTheAgentNorAnsweredWithTheAgentsAnswer() throws Exception {
        Connected call = connect("+14155550171");
        String path = "/calls/" + call.task() + "/warm-transfer";
        Map<String, Object> body = Map.of("to", Map.of("worker", DemoWorkspace.CAROL));
        // Another agent sends the key first: refused before the key is looked at, so nothing of theirs is written to the call.
        Map<String, String> itemsBefore = BadInputCatalogueTest.records();
        assertEquals(403, keyed(call.other(), path, body, "k-planted").statusCode());
        assertEquals(itemsBefore, BadInputCatalogueTest.records(), "the other agent's refused request left the call's record as it was");
        HttpResponse<String> agents = keyed(call.agent(), path, body, "k-planted");
        assertEquals(201, agents.statusCode(), "the agent's request with the same key runs: " + agents.body());
        // Now the agent's answer is kept under that key: the other agent does not get it.
        HttpResponse<String> others = keyed(call.other(), path, body, "k-planted");
        assertEquals(403, others.statusCode(), "the other agent is refused, not answered with the agent's transfer: " + others.body());
        assertEquals("not_allowed", Json.parse(others.body(), "answer").path("error").path("code").asText());
        // And the agent's own repeat gets the agent's answer.
        assertEquals(agents.body(), keyed(call.agent(), path, body, "k-planted").body());
    }

    @Test
    void aRefusalIsNotKeptSoALaterRequestWithItsKeyRuns() throws Exception {
        Connected call = connect("+14155550172");
        String cancel = "/calls/" + call.task() + "/warm-transfer/cancel";
        HttpResponse<String> early = keyed(call.agent(), cancel, Map.of(), "k-cancel");
        assertEquals(409, early.statusCode(), "nothing to cancel yet: " + early.body());
        assertEquals(201, keyed(call.agent(), "/calls/" + call.task() + "/warm-transfer",
                Map.of("to", Map.of("worker", DemoWorkspace.CAROL)), "k-start").statusCode());
        HttpResponse<String> later = keyed(call.agent(), cancel, Map.of(), "k-cancel");
        assertEquals(200, later.statusCode(), "the cancel runs with the key its refusal did not keep: " + later.body());
        assertEquals("CANCELED", Json.parse(later.body(), "answer").path("state").asText(), later.body());
    }

    @Test
    void aCrashedRequestsKeyCanBeRetriedOnceItsMarkerHasExpired() throws Exception {
        Connected call = connect("+14155550173");
        String path = "/calls/" + call.task() + "/warm-transfer";
        Map<String, Object> body = Map.of("to", Map.of("worker", DemoWorkspace.CAROL));
        // Every DynamoDB write after the key's marker fails: the transfer's claim (a transaction, as it lists the
        // call for its target: GET /calls), and the marker's release.
        for (Map<String, Object> rule : List.of(Map.<String, Object>of("operation", "PutItem", "status", 500, "nth", 2, "times", 1000),
                Map.<String, Object>of("operation", "TransactWriteItems", "status", 500, "nth", 1, "times", 1000))) {
            HttpResponse<String> armed = HTTP.send(HttpRequest.newBuilder(URI.create(runtime.baseUrl() + "/dev/faults/dynamodb"))
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(rule))).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(armed.statusCode() < 300, armed.body());
        }
        HttpResponse<String> crashed = keyed(call.agent(), path, body, "k-crash");
        assertTrue(crashed.statusCode() >= 500, "the request failed: " + crashed.statusCode() + " " + crashed.body());
        noDynamoDbFaultsLeft();
        HttpResponse<String> soon = keyed(call.agent(), path, body, "k-crash");
        assertEquals(409, soon.statusCode(), "the marker holds the key for a while: " + soon.body());
        assertEquals("request_in_progress", Json.parse(soon.body(), "answer").path("error").path("code").asText());
        sim.advance(31);
        HttpResponse<String> retried = keyed(call.agent(), path, body, "k-crash");
        assertEquals(201, retried.statusCode(), "the retry runs once the marker has expired: " + retried.body());
    }

    @Test
    void anOutboundCallSentTwiceWithOneKeyCreatesOneTaskAndRingsTheAgentOnce() throws Exception {
        String customer = "+14155550174";
        int tasksBefore = sim.tasks().size();
        HttpResponse<String> first = keyed("alice", "/calls", Map.of("to", customer), "dial-once");
        HttpResponse<String> again = keyed("alice", "/calls", Map.of("to", customer), "dial-once");
        assertEquals(202, first.statusCode(), first.body());
        assertEquals(202, again.statusCode(), again.body());
        String task = Json.parse(first.body(), "answer").path("taskSid").asText();
        assertEquals(task, Json.parse(again.body(), "answer").path("taskSid").asText(), "the same task");
        assertEquals(1, sim.tasks().size() - tasksBefore, "one task");
        assertEquals(1, sim.hearing().size(), "one phone rings (alice's): " + sim.hearing());
        assertNotEquals(null, sim.liveCall("alice"), "alice is rung");
        // Bob's request with the same key is his own.
        HttpResponse<String> bobs = keyed("bob", "/calls", Map.of("to", customer), "dial-once");
        assertEquals(202, bobs.statusCode(), bobs.body());
        assertNotEquals(task, Json.parse(bobs.body(), "answer").path("taskSid").asText(), "bob's key is not alice's");
    }

    /** An agent-API request with an {@code Idempotency-Key}, as the worker named. */
    private static HttpResponse<String> keyed(String worker, String path, Object body, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(runtime.baseUrl() + path))
                .header("Authorization", "Bearer " + token(worker, Map.of()))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build(), HttpResponse.BodyHandlers.ofString());
    }

    // Issue 19, finding 5: what an agent may have the product dial.

    @Test
    void anAgentsCallsBeyondTheirDialsAMinuteAre429AndCreateNoTask() throws Exception {
        String carol = token("carol", Map.of());
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> placed = exchange("POST", "/calls", carol, Map.of("to", "+1415555094" + i));
            assertEquals(202, placed.statusCode(), "call " + (i + 1) + " of the minute: " + placed.body());
        }
        int tasksBefore = sim.tasks().size();
        HttpResponse<String> refused = exchange("POST", "/calls", carol, Map.of("to", "+14155550949"));
        assertEquals(429, refused.statusCode(), refused.body());
        assertEquals("rate_limited", Json.parse(refused.body(), "answer").path("error").path("code").asText());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After says when");
        assertEquals(tasksBefore, sim.tasks().size(), "the refused call created no task");
        assertEquals(202, exchange("POST", "/calls", token("alice", Map.of()), Map.of("to", "+14155550948")).statusCode(),
                "the limit is carol's own: alice may still dial");
    }

    @Test
    void aLegToANumberCarriesTheTimeLimitAndTwilioCutsItThere() throws Exception {
        String customer = "+14155550951";
        String external = "+14155550952";
        Connected call = connect(customer);
        sim.clearRequests();
        assertEquals(202, signIn(call.agent()).post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("number", external))).status());
        var added = requests("POST", ".*/Conferences/CF[0-9a-f]{32}/Participants\\.json");
        assertEquals(1, added.size(), added.toString());
        String limit = added.get(0).path("parameters").path("TimeLimit").path(0).asText();
        assertEquals(runtime.environment("ColdTransferFunction").get("EXTERNAL_CALL_TIME_LIMIT_SECONDS"), limit, "the leg carries EXTERNAL_CALL_TIME_LIMIT_SECONDS");
        sim.answer(sim.ringing(external));
        sim.advance(Integer.parseInt(limit) - 10);
        assertEquals(java.util.Set.of(external), sim.hears(customer), "talking until the limit");
        sim.advance(20);
        assertEquals(null, sim.liveCall(external), "Twilio cut the leg at its limit");
        assertEquals(null, sim.liveCall(customer), "and the customer was not left alone in the conference");
    }

    // Issue 19, finding 8: roles come from the group exactly as named, and a supervisor's session is theirs.

    @org.junit.jupiter.api.Test
    void aGroupWhoseNameHoldsTheSupervisorGroupAfterACommaGrantsNothing() throws Exception {
        Connected call = connect("+14155550931");
        String path = "/calls/" + call.task();
        assertEquals(403, send("GET", path, token(call.other(), Map.of("groups", List.of("x,supervisors"))), null), "one group named x,supervisors");
        assertEquals(403, send("POST", path + "/supervisor", token(call.other(), Map.of("groups", List.of("supervisors,x"))), Map.of("mode", "monitor")));
        assertEquals(200, send("GET", path, token(call.other(), Map.of("groups", List.of("agents", "supervisors"))), null), "the group itself, beside another");
        resetCallCentre(sim, twilio);
    }

    @org.junit.jupiter.api.Test
    void aSupervisorCannotEndAnotherSupervisorsSession() throws Exception {
        Connected call = connect("+14155550932");
        String path = "/calls/" + call.task() + "/supervisor";
        assertEquals(200, send("POST", path, token("sam", Map.of()), Map.of("mode", "monitor")));
        String otherSupervisor = token("carol", Map.of("groups", List.of("supervisors")));
        assertEquals(403, send("DELETE", path, otherSupervisor, null), "carol, a supervisor too, cannot take sam off");
        assertEquals(DemoWorkspace.SAM, signIn("sam").get("/calls/" + call.task()).body().path("supervisor").path("workerSid").asText(), "sam is still supervising");
        assertEquals(200, send("DELETE", path, token("sam", Map.of()), null), "sam ends his own session");
        assertEquals(200, send("DELETE", path, otherSupervisor, null), "with nobody supervising, leaving changes nothing");
        resetCallCentre(sim, twilio);
    }

    /**
     * Issue 19, finding 6: an agent (or a stolen token) sending far more than a person would. API
     * Gateway lets through what the route's bucket holds ({@code AgentRouteBurstLimit}, refilled at
     * {@code AgentRouteRateLimit} a second) and answers the rest 429 itself, so the function runs for
     * those let through only; the next case finds the bucket full again.
     */
    @org.junit.jupiter.api.Test
    void anAgentsBurstBeyondTheRoutesBucketIs429AndInvokesTheFunctionNoMore() throws Exception {
        RouteFlood flood = RouteFlood.of("AgentRoute");
        String token = token("alice", Map.of());
        flood.send(HTTP, () -> HttpRequest.newBuilder(URI.create(runtime.baseUrl() + "/directory")).header("Authorization", "Bearer " + token).GET().build(),
                runtime, "DirectoryFunction", 200);
        // The next case finds the route's bucket full again: simulated time refills it as real time would.
        sim.advance(flood.refillSeconds());
    }

    /**
     * Issue 19, finding 3: run against real Twilio, the local runtime's own routes (tokens for any
     * worker, DynamoDB faults, the reconciler) answer 404 to everyone (no token, an agent's, a
     * supervisor's, a guessed secret) while {@code LOCAL_DEV_SECRET} is unset. Every {@code /dev}
     * route that runtime serves is tried, so one added later is covered. No request can reach
     * Twilio: each is refused before one could be made.
     */
    @org.junit.jupiter.api.Test
    void againstRealTwilioEveryDevRouteIs404ForEveryone() throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("LOCAL_TEMPLATE", Project.template().toString());
        env.put("LOCAL_PORT", "0");
        env.put("LOCAL_TWILIO", "real");
        env.put("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000009");
        env.put("TWILIO_AUTH_TOKEN", "not-a-real-token");
        env.put("PUBLIC_BASE_URL", "https://tunnel.example.com");
        Map<String, String> principals = new java.util.LinkedHashMap<>();
        principals.put("none", null);
        principals.put("agent", token("alice", Map.of()));
        principals.put("supervisor", token("sam", Map.of()));
        try (dev.callcontrol.local.LocalRuntime real = dev.callcontrol.local.LocalRuntime.start(dev.callcontrol.local.LocalRuntime.Options.fromEnvironment(env))) {
            assertTrue(real.devPaths().contains("/dev/token"), "the token route is among those tried: " + real.devPaths());
            for (String path : real.devPaths()) {
                for (String method : List.of("GET", "POST", "DELETE")) {
                    for (Map.Entry<String, String> principal : principals.entrySet()) {
                        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(real.baseUrl() + path + (path.endsWith("/") ? "hearing" : "")))
                                .method(method, HttpRequest.BodyPublishers.ofString("{\"worker\":\"alice\",\"groups\":[\"supervisors\"]}"))
                                .header("Content-Type", "application/json").header("X-Dev-Secret", "a-guess");
                        if (principal.getValue() != null) {
                            request.header("Authorization", "Bearer " + principal.getValue());
                        }
                        HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                        assertEquals(404, answer.statusCode(), method + " " + path + " as " + principal.getKey() + ": " + answer.body());
                    }
                }
            }
        }
    }

    /** Whether this run binds workers to users through {@code auth_sub} ({@code AUTH_WORKER_BINDING=worker-attribute}). */
    private static boolean workersBound() {
        return "worker-attribute".equals(runtime.environment("GetCallFunction").get("AUTH_WORKER_BINDING"));
    }

    /** Whether this run's runtime takes Flex tokens (the scenarios-with-flex-tokens execution of local/pom.xml). */
    private static final boolean FLEX = "flex".equals(System.getProperty("local.agentAuth"));

    /**
     * A token for a worker: a JWT from {@code /dev/token}, or with Flex tokens one from
     * {@code /dev/flex-token}, where a token minted for another issuer or audience becomes one IAM
     * never issued, and groups become roles (the supervisor group is Flex's supervisor role, any
     * other group a role of its own name, so {@code x,supervisors} grants nothing in either mode).
     */
    private static String token(String worker, Map<String, Object> extra) {
        if (FLEX && (extra.containsKey("issuer") || extra.containsKey("audience"))) {
            return "flex-sim.not-issued-by-iam";
        }
        HttpResponse<String> response = mint(worker, extra);
        assertEquals(200, response.statusCode(), "a token for " + worker + ": " + response.body());
        return Json.parse(response.body(), "token").path("token").asText();
    }

    /** Asks the local identity provider ({@code /dev/token}, or {@code /dev/flex-token} with Flex tokens) for a token. */
    private static HttpResponse<String> mint(String worker, Map<String, Object> extra) {
        Map<String, Object> request = new java.util.HashMap<>(extra);
        request.put("worker", worker);
        if (FLEX && request.get("groups") instanceof List<?> groups) {
            request.remove("groups");
            request.put("roles", groups.stream().map(g -> g.equals("supervisors") ? "supervisor" : String.valueOf(g)).toList());
        }
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(runtime.baseUrl() + (FLEX ? "/dev/flex-token" : "/dev/token")))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.write(request))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int send(String method, String path, String token, Object body) throws Exception {
        return exchange(method, path, token, body).statusCode();
    }

    private static HttpResponse<String> exchange(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.baseUrl() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
