package dev.callcontrol.twilio;

import com.sun.net.httpserver.HttpServer;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import dev.callcontrol.config.Config;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** twilio-java's requests over {@link UrlConnectionTwilioClient}: with TWILIO_API_BASE_URL set, they reach that server with Twilio's paths. */
class TwilioClientsTest {
    record Seen(String method, String path, String query, String originalHost, String authorization, String body,
                com.sun.net.httpserver.Headers headers) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String errorBody = null;
    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst(UrlConnectionTwilioClient.ORIGINAL_HOST_HEADER),
                    exchange.getRequestHeaders().getFirst("Authorization"), body, exchange.getRequestHeaders()));
            String path = exchange.getRequestURI().getPath();
            String response = path.endsWith("/Conferences.json")
                    ? "{\"conferences\":[],\"page\":0,\"page_size\":1,\"next_page_uri\":null,\"uri\":\"" + path + "\"}"
                    : path.contains("Participants")
                    ? "{\"call_sid\":\"CA0123456789abcdef0123456789abcdef\",\"hold\":true}"
                    : "{\"sid\":\"WT0123456789abcdef0123456789abcdef\",\"assignment_status\":\"pending\"}";
            byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (status == 401) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Twilio API\"");
            }
            if (status != 200) {
                bytes = (errorBody != null ? errorBody : "{\"code\":20500,\"message\":\"Internal Server Error\",\"status\":" + status + "}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            if (status == 204) {
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private TwilioRestClient client() {
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.put("TWILIO_API_BASE_URL", "http://127.0.0.1:" + server.getAddress().getPort());
        return TwilioClients.restClient(Config.of(env));
    }

    @Test
    void voiceRequestsKeepTheirPathAndFormBody() {
        Participant participant = Participant.updater("CF0123456789abcdef0123456789abcdef", "CA0123456789abcdef0123456789abcdef")
                .setHold(true)
                .setHoldUrl(java.net.URI.create("https://calls.example.com/twilio/hold-music"))
                .update(client());
        assertEquals(true, participant.getHold());
        Seen request = seen.get(0);
        assertEquals("POST", request.method());
        assertEquals("/2010-04-01/Accounts/AC00000000000000000000000000000001/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA0123456789abcdef0123456789abcdef.json", request.path());
        assertEquals("api.twilio.com", request.originalHost());
        assertTrue(request.body().contains("Hold=true"), request.body());
        assertTrue(request.body().contains("HoldUrl=https%3A%2F%2Fcalls.example.com%2Ftwilio%2Fhold-music"), request.body());
        String expectedAuth = "Basic " + Base64.getEncoder().encodeToString(
                ("AC00000000000000000000000000000001:" + Webhooks.AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
        assertEquals(expectedAuth, request.authorization());
    }

    @Test
    void taskRouterRequestsCarryTheirOriginalHost() {
        Task task = Task.fetcher("WS00000000000000000000000000000001", "WT0123456789abcdef0123456789abcdef").fetch(client());
        assertEquals("WT0123456789abcdef0123456789abcdef", task.getSid());
        Seen request = seen.get(0);
        assertEquals("GET", request.method());
        assertEquals("/v1/Workspaces/WS00000000000000000000000000000001/Tasks/WT0123456789abcdef0123456789abcdef", request.path());
        assertEquals("taskrouter.twilio.com", request.originalHost());
    }

    @Test
    void queryStringsSurviveTheRedirect() {
        com.twilio.rest.api.v2010.account.Conference.reader().setFriendlyName("WT0123456789abcdef0123456789abcdef")
                .setStatus(com.twilio.rest.api.v2010.account.Conference.Status.IN_PROGRESS).limit(1).read(client());
        Seen request = seen.get(0);
        assertEquals("/2010-04-01/Accounts/AC00000000000000000000000000000001/Conferences.json", request.path());
        assertTrue(request.query().contains("FriendlyName=WT0123456789abcdef0123456789abcdef"), request.query());
        assertTrue(request.query().contains("Status=in-progress"), request.query());
    }

    @Test
    void aRequestAnswered500IsSentOnceWhateverTwilioJavaWouldDo() {
        status = 500;
        var create = Task.creator("WS00000000000000000000000000000001").setAttributes("{}");
        com.twilio.exception.ApiException e = org.junit.jupiter.api.Assertions.assertThrows(com.twilio.exception.ApiException.class, () -> create.create(client()));
        assertEquals(500, e.getStatusCode());
        assertEquals(1, seen.size(), "twilio-java's own retry of 5xx answers is off: FaultPolicy decides");
    }

    @Test
    void noAnswerIsAConnectionFailure() {
        server.stop(0);
        org.junit.jupiter.api.Assertions.assertThrows(com.twilio.exception.ApiConnectionException.class,
                () -> Task.fetcher("WS00000000000000000000000000000001", "WT0123456789abcdef0123456789abcdef").fetch(client()));
    }

    @Test
    void requestsCarryTwilioJavasHeaders() {
        Task.fetcher("WS00000000000000000000000000000001", "WT0123456789abcdef0123456789abcdef").fetch(client());
        com.sun.net.httpserver.Headers headers = seen.get(0).headers();
        assertTrue(headers.getFirst("User-Agent").startsWith("twilio-java/" + com.twilio.Twilio.VERSION + " ("), headers.getFirst("User-Agent"));
        assertTrue(headers.getFirst("User-Agent").endsWith(" custom"), headers.getFirst("User-Agent"));
        assertEquals("java-" + com.twilio.Twilio.VERSION, headers.getFirst("X-Twilio-Client"));
        assertEquals("application/json", headers.getFirst("Accept"));
    }

    @Test
    void aFormBodyIsDeclaredAsOne() {
        Participant.updater("CF0123456789abcdef0123456789abcdef", "CA0123456789abcdef0123456789abcdef").setMuted(true).update(client());
        assertEquals("application/x-www-form-urlencoded", seen.get(0).headers().getFirst("Content-Type"));
        assertEquals("Muted=true", seen.get(0).body());
    }

    @Test
    void aDeleteAnswered204IsDone() {
        status = 204;
        assertTrue(Participant.deleter("CF0123456789abcdef0123456789abcdef", "CA0123456789abcdef0123456789abcdef").delete(client()));
        assertEquals("DELETE", seen.get(0).method());
    }

    @Test
    void twiliosErrorAnswersReachTheCaller() {
        // To a streamed body (a create), the JDK keeps a 401's status but not its body; every other answer comes whole.
        status = 401;
        errorBody = "{\"code\":20003,\"message\":\"Authenticate\",\"more_info\":\"https://www.twilio.com/docs/errors/20003\",\"status\":401}";
        var create = Task.creator("WS00000000000000000000000000000001").setAttributes("{}");
        com.twilio.exception.ApiException e = org.junit.jupiter.api.Assertions.assertThrows(com.twilio.exception.ApiException.class, () -> create.create(client()));
        assertEquals(401, e.getStatusCode());
        assertTrue(e.getMessage().contains("401"), e.getMessage());
        assertEquals(1, seen.size());

        status = 404;
        errorBody = "{\"code\":20404,\"message\":\"The requested resource was not found\",\"status\":404}";
        e = org.junit.jupiter.api.Assertions.assertThrows(com.twilio.exception.ApiException.class,
                () -> Task.fetcher("WS00000000000000000000000000000001", "WT0123456789abcdef0123456789abcdef").fetch(client()));
        assertEquals(404, e.getStatusCode());
        assertEquals(20404, e.getCode());
    }

    @Test
    void withoutABaseUrlRequestsGoToTwiliosHosts() throws IOException {
        var client = new UrlConnectionTwilioClient(TwilioClients.CONNECT_TIMEOUT, TwilioClients.RESPONSE_TIMEOUT);
        var request = new com.twilio.http.Request(com.twilio.http.HttpMethod.GET, com.twilio.rest.Domains.TASKROUTER.toString(),
                "/v1/Workspaces/WS00000000000000000000000000000001/Tasks");
        request.addQueryParam("EvaluateTaskAttributes", "a == \"b c\"");

        assertEquals("https://taskrouter.twilio.com/v1/Workspaces/WS00000000000000000000000000000001/Tasks?EvaluateTaskAttributes=a+%3D%3D+%22b+c%22",
                client.target(request).toString());
    }

    @Test
    void patchIsRefusedBeforeAnythingIsSent() {
        var client = new UrlConnectionTwilioClient("http://127.0.0.1:" + server.getAddress().getPort(),
                TwilioClients.CONNECT_TIMEOUT, TwilioClients.RESPONSE_TIMEOUT);
        var request = new com.twilio.http.Request(com.twilio.http.HttpMethod.PATCH, com.twilio.rest.Domains.API.toString(), "/x");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> client.makeRequest(request));
        assertTrue(seen.isEmpty());
    }

    @Test
    void theSettingsNeverShowTheAuthToken() {
        Config config = Config.of(Webhooks.localEnvironment());
        String shown = TwilioClients.Settings.of(config).toString();

        assertTrue(shown.contains(config.accountSid()));
        assertFalse(shown.contains(config.authToken()), shown);
    }
}
