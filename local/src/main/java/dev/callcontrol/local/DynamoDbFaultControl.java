package dev.callcontrol.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /dev/faults/dynamodb}: the control API of the DynamoDB fault proxy ({@link DynamoDbFaults}).
 * {@code POST} adds a rule such as {@code {"operation":"PutItem","nth":1,"times":1,"status":500}}
 * (a malformed one gets a 400 naming the problem), {@code GET} lists the rules with how many
 * requests each has matched and failed, {@code DELETE} clears them. When {@code DYNAMODB_ENDPOINT}
 * points the runtime at a DynamoDB of the caller's own, no proxy stands in front of it and every
 * method answers 409. Only the local runtime has this route.
 */
final class DynamoDbFaultControl implements HttpHandler {
    static final String PATH = "/dev/faults/dynamodb";
    private static final int MAX_BODY = 16 * 1024;

    /** Null when the runtime uses a DynamoDB endpoint from the environment. */
    private final DynamoDbFaults proxy;

    DynamoDbFaultControl(DynamoDbFaults proxy) {
        this.proxy = proxy;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status = 200;
            Object body;
            try {
                if (!exchange.getRequestURI().getPath().equals(PATH)) {
                    throw new HttpError(404, "not_found", "GET, POST or DELETE " + PATH + " is the only route here");
                }
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("POST") && !method.equals("DELETE")) {
                    exchange.getResponseHeaders().set("Allow", "GET, POST, DELETE");
                    throw new HttpError(405, "method_not_allowed", PATH + " takes GET, POST or DELETE");
                }
                if (proxy == null) {
                    throw new HttpError(409, "no_fault_proxy", "DYNAMODB_ENDPOINT names a DynamoDB of your own, which the functions reach "
                            + "directly: DynamoDB faults need the embedded DynamoDB Local (unset DYNAMODB_ENDPOINT)");
                }
                byte[] bytes = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
                if (bytes.length > MAX_BODY) {
                    throw HttpError.badRequest("a fault rule is at most " + MAX_BODY + " bytes");
                }
                switch (method) {
                    case "POST" -> {
                        body = proxy.rules().add(Json.parse(new String(bytes, StandardCharsets.UTF_8), "the DynamoDB fault rule"));
                        status = 201;
                    }
                    case "DELETE" -> body = Map.of("cleared", proxy.rules().clear());
                    default -> {
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("proxy", proxy.endpoint().toString());
                        out.put("dynamoDb", proxy.target().toString());
                        out.put("rules", proxy.rules().describe());
                        body = out;
                    }
                }
            } catch (HttpError e) {
                status = e.status();
                body = DevAnswers.error(e.code(), e.getMessage());
            }
            DevAnswers.json(exchange, status, body);
        }
    }
}
