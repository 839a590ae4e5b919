package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Secrets Manager's {@code GetSecretValue} on loopback, for the secret-loading tests and the cost
 * benchmark: no network, no AWS account. It answers the AWS JSON 1.1 protocol the SDK speaks
 * ({@code X-Amz-Target: secretsmanager.GetSecretValue}) with the secret's {@code SecretString}, or
 * Secrets Manager's {@code ResourceNotFoundException}; it checks no signature.
 */
public final class FakeSecretsManager implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final Map<String, AtomicInteger> readsOf = new ConcurrentHashMap<>();

    private FakeSecretsManager(HttpServer server) {
        this.server = server;
    }

    public static FakeSecretsManager start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        FakeSecretsManager fake = new FakeSecretsManager(server);
        server.createContext("/", fake::handle);
        server.start();
        return fake;
    }

    /** What {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} should be. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Sets (or replaces) a secret's string, as {@code put-secret-value} would. */
    public void put(String secretId, String secretString) {
        secrets.put(secretId, secretString);
    }

    /** How many {@code GetSecretValue} requests it has answered. */
    public int reads() {
        return reads.get();
    }

    /** How many times it has answered with this secret. */
    public int reads(String secretId) {
        AtomicInteger count = readsOf.get(secretId);
        return count == null ? 0 : count.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode request = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
            int status;
            Map<String, Object> body = new LinkedHashMap<>();
            String id = request == null ? null : request.path("SecretId").asText(null);
            if (!"secretsmanager.GetSecretValue".equals(target)) {
                status = 400;
                body.put("__type", "UnknownOperationException");
            } else if (id == null || !secrets.containsKey(id)) {
                status = 400;
                body.put("__type", "ResourceNotFoundException");
                body.put("message", "Secrets Manager can't find the specified secret.");
            } else {
                reads.incrementAndGet();
                readsOf.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                status = 200;
                body.put("ARN", "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + id + "-AbCdEf");
                body.put("Name", id);
                body.put("SecretString", secrets.get(id));
                body.put("VersionId", "00000000-0000-0000-0000-000000000001");
                body.put("VersionStages", java.util.List.of("AWSCURRENT"));
                body.put("CreatedDate", 1.7e9);
            }
            byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
