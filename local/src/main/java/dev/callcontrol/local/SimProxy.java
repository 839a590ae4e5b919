package dev.callcontrol.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * {@code /dev/sim/...}: the few controls of the Twilio simulator that the console's demo panel
 * uses, on the runtime's own origin, so that the page reaches nothing but the product: who hears
 * what ({@code GET /dev/sim/hearing}), the demo workers ({@code GET /dev/sim/workers}), a customer
 * dialling in ({@code POST /dev/sim/calls}) and a phone answering, declining or hanging up
 * ({@code POST /dev/sim/calls/{callSid}/answer|decline|hangup}), and which tokens the agent routes
 * take here ({@code GET /dev/sim/agent-auth}: JWTs from {@code /dev/token}, or Flex tokens from
 * {@code /dev/flex-token}). Anything else is 404. Only the
 * local runtime has this route, and only in front of the simulator.
 */
final class SimProxy implements HttpHandler {
    static final String PATH = "/dev/sim/";
    private static final Pattern ALLOWED = Pattern.compile(
            "^(GET /dev/sim/hearing|GET /dev/sim/workers|POST /dev/sim/calls|POST /dev/sim/calls/CA[0-9a-fA-F]{32}/(answer|decline|hangup))$");
    /** {@code GET /dev/sim/agent-auth}: which tokens the agent routes take here, so the demo panel mints the right kind. */
    private static final String AGENT_AUTH = "/dev/sim/agent-auth";
    private static final int MAX_BODY = 4 * 1024;

    private final String simulator;
    private final boolean flexTokens;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code flexTokens}: the agent routes take Flex tokens ({@code LOCAL_AGENT_AUTH=flex}), minted by {@code /dev/flex-token}. */
    SimProxy(String simulatorBaseUrl, boolean flexTokens) {
        this.simulator = simulatorBaseUrl;
        this.flexTokens = flexTokens;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals(AGENT_AUTH)) {
                send(exchange, 200, flexTokens ? "{\"agentAuth\":\"flex\",\"tokens\":\"/dev/flex-token\"}"
                        : "{\"agentAuth\":\"jwt\",\"tokens\":\"/dev/token\"}");
                return;
            }
            if (!ALLOWED.matcher(method + " " + path).matches()) {
                send(exchange, 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"the demo panel's simulator controls are hearing, workers and calls\"}}");
                return;
            }
            byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                send(exchange, 413, "{\"error\":{\"code\":\"payload_too_large\",\"message\":\"at most 4 KiB\"}}");
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(simulator + path.substring("/dev".length())))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json");
            forward = method.equals("POST") ? forward.POST(HttpRequest.BodyPublishers.ofByteArray(body)) : forward.GET();
            try {
                HttpResponse<String> answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofString());
                send(exchange, answer.statusCode(), answer.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                send(exchange, 503, "{\"error\":{\"code\":\"unavailable\",\"message\":\"the simulator did not answer\"}}");
            } catch (IOException e) {
                send(exchange, 502, "{\"error\":{\"code\":\"simulator_unreachable\",\"message\":\"the simulator did not answer\"}}");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
