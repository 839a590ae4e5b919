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

/** With TWILIO_API_BASE_URL set, twilio-java's requests reach that server with Twilio's paths. */
class TwilioClientsTest {
    record Seen(String method, String path, String query, String originalHost, String authorization, String body) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst(RedirectingHttpClient.ORIGINAL_HOST_HEADER),
                    exchange.getRequestHeaders().getFirst("Authorization"), body));
            String path = exchange.getRequestURI().getPath();
            String response = path.endsWith("/Conferences.json")
                    ? "{\"conferences\":[],\"page\":0,\"page_size\":1,\"next_page_uri\":null,\"uri\":\"" + path + "\"}"
                    : path.contains("Participants")
                    ? "{\"call_sid\":\"CA0123456789abcdef0123456789abcdef\",\"hold\":true}"
                    : "{\"sid\":\"WT0123456789abcdef0123456789abcdef\",\"assignment_status\":\"pending\"}";
            byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (status != 200) {
                bytes = ("{\"code\":20500,\"message\":\"Internal Server Error\",\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
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
    void theSettingsNeverShowTheAuthToken() {
        Config config = Config.of(Webhooks.localEnvironment());
        String shown = TwilioClients.Settings.of(config).toString();

        assertTrue(shown.contains(config.accountSid()));
        assertFalse(shown.contains(config.authToken()), shown);
    }
}
