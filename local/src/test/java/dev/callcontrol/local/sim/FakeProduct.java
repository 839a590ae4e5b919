package dev.callcontrol.local.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.twilio.SignatureVerifier;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A stand-in for the product on loopback, as the simulator sees it: it serves TwiML at given paths,
 * answers the TaskRouter assignment callback with a configurable JSON instruction, and records
 * every webhook it receives with whether its {@code X-Twilio-Signature} is valid.
 */
final class FakeProduct implements AutoCloseable {
    static final String ASSIGNMENT = "/assignment";
    static final String EVENTS = "/events";

    /**
     * One webhook as received: path, method, parameters (the form for POST, the query for GET), the
     * URL requested, the {@code X-Twilio-Signature} given, and whether it is valid for that URL.
     */
    record Hit(String path, String method, Map<String, String> params, boolean signatureValid, String url, String signature, Map<String, String> form) {
        String param(String name) {
            return params.get(name);
        }

        /** Whether the signature given is Twilio's over {@code signedUrl} (the URL requested with a fragment, say) and the form. */
        boolean signedOver(String authToken, String signedUrl) {
            return signature != null && signature.equals(SignatureVerifier.sign(authToken, signedUrl, method.equals("GET") ? Map.of() : form));
        }
    }

    private final String authToken;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Hit> hits = new ArrayList<>();
    private final Map<String, String> twiml = new ConcurrentHashMap<>();
    private volatile Function<Hit, String> assignment = hit -> "{}";

    private FakeProduct(String authToken) throws IOException {
        this.authToken = authToken;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
    }

    static FakeProduct start(String authToken) throws IOException {
        FakeProduct product = new FakeProduct(authToken);
        product.server.start();
        return product;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String url(String path) {
        return baseUrl() + path;
    }

    /** Serves this TwiML document (text/xml) at {@code path}. */
    FakeProduct twiml(String path, String document) {
        twiml.put(path, document);
        return this;
    }

    /** Answers every assignment callback with this JSON (application/json). */
    FakeProduct assignment(String json) {
        return assignment(hit -> json);
    }

    /** Answers each assignment callback with the JSON this function gives for it. */
    FakeProduct assignment(Function<Hit, String> answer) {
        this.assignment = answer;
        return this;
    }

    /** Every webhook so far, oldest first. */
    synchronized List<Hit> hits() {
        return List.copyOf(hits);
    }

    /** The webhooks received at {@code path}, oldest first. */
    synchronized List<Hit> hits(String path) {
        return hits.stream().filter(h -> h.path().equals(path)).toList();
    }

    synchronized void clear() {
        hits.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> form = decode(body);
            Map<String, String> params = new LinkedHashMap<>(decode(rawQuery));
            params.putAll(form);
            // Twilio signs the full URL it called (query included) followed by the POST parameters; a GET signs the URL alone.
            String signedUrl = baseUrl() + path + (rawQuery == null ? "" : "?" + rawQuery);
            String expected = SignatureVerifier.sign(authToken, signedUrl, method.equals("GET") ? Map.of() : form);
            String given = exchange.getRequestHeaders().getFirst(SignatureVerifier.HEADER);
            boolean valid = given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
            Hit hit = new Hit(path, method, Map.copyOf(params), valid, signedUrl, given, Map.copyOf(form));
            synchronized (this) {
                hits.add(hit);
            }
            String document = twiml.get(path);
            if (path.equals(ASSIGNMENT)) {
                respond(exchange, "application/json", assignment.apply(hit));
            } else if (document != null) {
                respond(exchange, "text/xml", document);
            } else {
                respond(exchange, null, null);
            }
        }
    }

    private static void respond(HttpExchange exchange, String contentType, String body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(204, -1);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> decode(String encoded) {
        Map<String, String> values = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            values.put(name, value);
        }
        return values;
    }
}
