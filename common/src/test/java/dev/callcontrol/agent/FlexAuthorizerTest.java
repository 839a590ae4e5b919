package dev.callcontrol.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlexAuthorizerTest {
    private static final String ACCOUNT = "AC" + "0".repeat(31) + "1";
    private static final String WORKER = "WK" + "a".repeat(32);
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private HttpServer iam;
    private final List<Map<String, String>> seen = new ArrayList<>();
    private volatile int status = 200;
    private volatile String answer;

    @BeforeEach
    void start() throws IOException {
        iam = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        iam.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                seen.add(Map.of("method", exchange.getRequestMethod(), "path", exchange.getRequestURI().getPath(),
                        "authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
                        "host", String.valueOf(exchange.getRequestHeaders().getFirst("X-Twilio-Original-Host")),
                        "contentType", String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")), "body", body));
                byte[] out = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, out.length);
                exchange.getResponseBody().write(out);
            }
        });
        iam.start();
    }

    @AfterEach
    void stop() {
        iam.stop(0);
    }

    private FlexAuthorizer authorizer() {
        FlexTokenValidator validator = new FlexTokenValidator(ACCOUNT, () -> "token-secret", "http://127.0.0.1:" + iam.getAddress().getPort());
        return new FlexAuthorizer(validator, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private void iamSays(Map<String, Object> result) {
        answer = Json.write(result);
    }

    private static Map<String, Object> valid(List<String> roles, String worker, String expiration) {
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        result.put("valid", true);
        result.put("code", 0);
        result.put("message", null);
        result.put("expiration", expiration);
        result.put("realm_user_id", "alice@example.com");
        result.put("identity", "alice_40example_2Ecom");
        result.put("roles", roles);
        result.put("worker_sid", worker);
        return result;
    }

    @Test
    void asksIamAsTheValidatorDoesAndHandsOnTheWorkerRolesAndExpiry() {
        iamSays(valid(List.of("agent", "supervisor"), WORKER, "2026-12-07T13:00:00.000Z"));
        FlexAuthorizer.Decision decision = authorizer().decide("Bearer flex.token.value");
        assertTrue(decision.authorized(), decision.reason());
        assertEquals(WORKER, decision.context().get(FlexAuthorizer.WORKER_SID));
        assertEquals("agent supervisor", decision.context().get(FlexAuthorizer.ROLES));
        assertEquals(String.valueOf(Instant.parse("2026-12-07T13:00:00Z").getEpochSecond()), decision.context().get(FlexAuthorizer.EXPIRES));
        Map<String, String> request = seen.get(0);
        assertEquals("POST", request.get("method"));
        assertEquals("/v1/Accounts/" + ACCOUNT + "/Tokens/validate", request.get("path"));
        assertEquals("Basic " + Base64.getEncoder().encodeToString((ACCOUNT + ":token-secret").getBytes(StandardCharsets.UTF_8)), request.get("authorization"));
        assertEquals("iam.twilio.com", request.get("host"));
        assertEquals("application/json", request.get("contentType"));
        JsonNode body = Json.parse(request.get("body"), "body");
        assertEquals("flex.token.value", body.path("token").asText());
        Principal principal = Principal.fromAuthorizerContext(Map.copyOf(decision.context()), NOW);
        assertEquals(new Principal(WORKER, true), principal);
    }

    @Test
    void anAdminIsASupervisorAndAnAgentIsNot() {
        assertTrue(Principal.fromAuthorizerContext(Map.of("worker_sid", WORKER, "roles", "admin", "expires", "1900000000"), NOW).supervisor());
        assertFalse(Principal.fromAuthorizerContext(Map.of("worker_sid", WORKER, "roles", "agent", "expires", "1900000000"), NOW).supervisor());
        assertFalse(Principal.fromAuthorizerContext(Map.of("worker_sid", WORKER, "roles", "supervisors", "expires", "1900000000"), NOW).supervisor(),
                "only the role named exactly");
    }

    @Test
    void refusesInvalidGuestWorkerlessAndExpiredTokens() {
        answer = "{\"valid\":false,\"code\":20107,\"message\":\"Invalid Access Token\"}";
        FlexAuthorizer.Decision invalid = authorizer().decide("Bearer nope");
        assertFalse(invalid.authorized());
        assertTrue(invalid.reason().contains("Invalid Access Token"), invalid.reason());

        iamSays(valid(List.of("guest"), WORKER, "2026-12-07T13:00:00Z"));
        assertFalse(authorizer().decide("Bearer guest").authorized(), "a guest");

        iamSays(valid(List.of("admin"), null, "2026-12-07T13:00:00Z"));
        assertFalse(authorizer().decide("Bearer admin-without-worker").authorized(), "no worker");

        iamSays(valid(List.of("agent"), WORKER, "2026-12-07T11:59:59Z"));
        assertFalse(authorizer().decide("Bearer old").authorized(), "expired");

        iamSays(valid(List.of("agent"), WORKER, null));
        assertFalse(authorizer().decide("Bearer timeless").authorized(), "no expiration to bound the cache by");
    }

    @Test
    void aHeaderWithoutABearerTokenIsRefusedWithoutAskingIam() {
        iamSays(valid(List.of("agent"), WORKER, "2026-12-07T13:00:00Z"));
        FlexAuthorizer authorizer = authorizer();
        for (String header : new String[]{null, "", "Basic abc", "Bearer ", "Bearer a b", "Bearer " + "x".repeat(9000)}) {
            assertFalse(authorizer.decide(header).authorized(), String.valueOf(header));
        }
        assertEquals(0, seen.size(), "IAM was not asked");
    }

    @Test
    void iamFailingIsNoVerdict() {
        status = 503;
        answer = "{\"message\":\"down\"}";
        assertThrows(FlexTokenValidator.Unavailable.class, () -> authorizer().decide("Bearer t"));
        status = 200;
        answer = "<html>";
        assertThrows(FlexTokenValidator.Unavailable.class, () -> authorizer().decide("Bearer t"));
        FlexTokenValidator unreachable = new FlexTokenValidator(ACCOUNT, () -> "s", "http://127.0.0.1:1");
        assertThrows(FlexTokenValidator.Unavailable.class, () -> unreachable.validate("t"));
    }

    @Test
    void aCachedContextIsRefusedOnceTheTokenHasExpired() {
        Map<String, Object> context = Map.of("worker_sid", WORKER, "roles", "agent", "expires", String.valueOf(NOW.getEpochSecond() + 60));
        assertEquals(WORKER, Principal.fromAuthorizerContext(context, NOW).workerSid());
        HttpError expired = assertThrows(HttpError.class, () -> Principal.fromAuthorizerContext(context, NOW.plusSeconds(60)));
        assertEquals(401, expired.status());
        assertEquals("token_expired", expired.code());
        assertEquals(401, assertThrows(HttpError.class, () -> Principal.fromAuthorizerContext(Map.of("worker_sid", WORKER), NOW)).status());
        assertEquals(403, assertThrows(HttpError.class,
                () -> Principal.fromAuthorizerContext(Map.of("worker_sid", "WKnope", "expires", "1900000000"), NOW)).status());
    }
}
