package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** How the local runtime's own {@code /dev/*} routes answer: JSON, and errors shaped as the agent API's ({@code {"error":{"code","message"}}}). */
final class DevAnswers {
    private DevAnswers() {
    }

    static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** What a POST-only {@code /dev} route answers (200) to its JSON request; an {@link HttpError} is its refusal. */
    @FunctionalInterface
    interface JsonPost {
        Object answer(JsonNode request);
    }

    /**
     * Serves a route that takes only {@code POST path} with a JSON body of at most 16 KiB ({@code what}
     * names it in a 400): the route's answer as 200, any {@link HttpError} as its error, anything else 404.
     */
    static void postJson(HttpExchange exchange, String path, String what, JsonPost route) throws IOException {
        try (exchange) {
            int status;
            Object body;
            try {
                if (!exchange.getRequestURI().getPath().equals(path) || !"POST".equals(exchange.getRequestMethod())) {
                    throw new HttpError(404, "not_found", "POST " + path + " is the only route here");
                }
                body = route.answer(Json.parse(new String(exchange.getRequestBody().readNBytes(16 * 1024), StandardCharsets.UTF_8), what));
                status = 200;
            } catch (HttpError e) {
                status = e.status();
                body = error(e.code(), e.getMessage());
            }
            json(exchange, status, body);
        }
    }

    static Map<String, Object> error(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        return Map.of("error", error);
    }
}
