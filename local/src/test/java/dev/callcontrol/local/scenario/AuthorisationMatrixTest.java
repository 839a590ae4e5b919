package dev.callcontrol.local.scenario;

import dev.callcontrol.http.Json;
import dev.callcontrol.local.SamTemplate;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.testing.Project;
import org.junit.jupiter.api.DynamicTest;
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

/**
 * Every agent route of template.yaml × {no token, expired token, wrong issuer, wrong audience, the
 * connected agent, another agent, a supervisor}, with the status each must get. A route with no
 * row below fails the test, so a new route cannot be added without its authorisation rules.
 */
class AuthorisationMatrixTest extends CallCentreScenario {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** How to exercise a route: the call it needs, the body, and the status for the agent, another agent and a supervisor. */
    private record Row(Consumer<Connected> setup, Object body, int agent, int other, int supervisor) {
    }

    private static final Consumer<Connected> NOTHING = call -> { };
    private static final Consumer<Connected> WARM_RINGING = call ->
            signIn(call.agent()).post("/calls/" + call.task() + "/warm-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
    private static final Consumer<Connected> WARM_CONSULTING = WARM_RINGING.andThen(call -> sim.answer(sim.ringing("carol")));

    private static final Map<String, Row> ROWS = Map.ofEntries(
            Map.entry("GET /calls/{taskSid}", new Row(NOTHING, null, 200, 403, 200)),
            Map.entry("POST /calls/{taskSid}/hold", new Row(NOTHING, Map.of("hold", true), 200, 403, 403)),
            Map.entry("POST /calls/{taskSid}/cold-transfer", new Row(NOTHING, Map.of("to", Map.of("queue", "sales")), 202, 403, 403)),
            Map.entry("POST /calls/{taskSid}/supervisor", new Row(NOTHING, Map.of("mode", "monitor"), 403, 403, 200)),
            Map.entry("DELETE /calls/{taskSid}/supervisor", new Row(NOTHING, null, 403, 403, 200)),
            Map.entry("POST /calls/{taskSid}/hangup", new Row(NOTHING, Map.of(), 200, 403, 200)),
            Map.entry("POST /calls", new Row(NOTHING, Map.of("to", "+14155550199"), 202, 202, 202)),
            Map.entry("POST /calls/{taskSid}/warm-transfer", new Row(NOTHING, Map.of("to", Map.of("worker", DemoWorkspace.CAROL)), 201, 403, 403)),
            Map.entry("GET /calls/{taskSid}/warm-transfer", new Row(WARM_RINGING, null, 200, 403, 200)),
            Map.entry("POST /calls/{taskSid}/warm-transfer/three-way", new Row(WARM_CONSULTING, Map.of(), 200, 403, 403)),
            Map.entry("POST /calls/{taskSid}/warm-transfer/complete", new Row(WARM_CONSULTING, Map.of(), 200, 403, 403)),
            Map.entry("POST /calls/{taskSid}/warm-transfer/cancel", new Row(WARM_RINGING, Map.of(), 200, 403, 403)));

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
        for (String principal : List.of("none", "expired", "wrong issuer", "wrong audience", "other", "supervisor", "agent")) {
            int expected = switch (principal) {
                case "none", "expired", "wrong issuer", "wrong audience" -> 401;
                case "other" -> row.other();
                case "supervisor" -> row.supervisor();
                default -> row.agent();
            };
            // Each allowed principal gets a call of its own, so that what one did does not decide what the next gets.
            Connected call = connect("+1415555" + String.format("%04d", (route.hashCode() & 0x7fff) % 10000));
            row.setup().accept(call);
            String path = route.substring(route.indexOf(' ') + 1).replace("{taskSid}", call.task());
            String token = switch (principal) {
                case "none" -> null;
                case "expired" -> token(call.agent(), Map.of("ttlSeconds", -60));
                case "wrong issuer" -> token(call.agent(), Map.of("issuer", "https://someone-else.example.com/"));
                case "wrong audience" -> token(call.agent(), Map.of("audience", "another-api"));
                case "other" -> token(call.other(), Map.of());
                case "supervisor" -> token("sam", Map.of());
                default -> token(call.agent(), Map.of());
            };
            int status = send(method, path, token, row.body());
            assertEquals(expected, status, route + " as " + principal);
            resetCallCentre(sim, twilio);
        }
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

    private static String token(String worker, Map<String, Object> extra) {
        Map<String, Object> request = new java.util.HashMap<>(extra);
        request.put("worker", worker);
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(runtime.baseUrl() + "/dev/token"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.write(request))).build(),
                    HttpResponse.BodyHandlers.ofString());
            return Json.parse(response.body(), "token").path("token").asText();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int send(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.baseUrl() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
