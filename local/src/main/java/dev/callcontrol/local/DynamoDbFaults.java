package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A fault proxy in front of DynamoDB Local: the local runtime gives every function this proxy's
 * URL as {@code DYNAMODB_ENDPOINT}, so each of the product's DynamoDB requests crosses it. A request
 * is forwarded as it came (method, path, query, headers including the SigV4 {@code Authorization}
 * and {@code X-Amz-Target}, body) and DynamoDB Local's answer goes back as it came, unless a rule
 * ({@code POST /dev/faults/dynamodb}, {@link DynamoDbFaultControl}) says otherwise. Only what the
 * proxy's own HTTP client must set differs: {@code Host}, {@code Content-Length} and the
 * connection's hop-by-hop headers. DynamoDB Local checks no signature (the credentials "don't have
 * to be valid AWS values",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBLocal.UsageNotes.html),
 * so the signed {@code Host} it no longer matches changes nothing there.
 *
 * <p>A rule names a DynamoDB operation (read from {@code X-Amz-Target},
 * {@code DynamoDB_20120810.PutItem} is {@code PutItem}) or {@code "*"} for all, and which of the
 * matching requests it acts on: the {@code nth} from when it was added and the {@code times - 1}
 * after it. It answers them as DynamoDB answers a failure (the JSON 1.0 error body the AWS SDK reads:
 * {@code __type} is {@code com.amazonaws.dynamodb.v20120810#<error code>}, see
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html):
 * <ul>
 *   <li>{@code "status": 500} is {@code InternalServerError}, the error code the DynamoDB model
 *   maps to HTTP 500 (the SDK's {@code InternalServerErrorException}); {@code "status": 503} is
 *   {@code ServiceUnavailable}, the other 5xx the developer guide lists. The SDK retries both;</li>
 *   <li>{@code "throttle": true} is a 400 {@code ProvisionedThroughputExceededException};
 *   {@code "throttle"} may also name {@code ThrottlingException} or {@code RequestLimitExceeded}.
 *   All three are in the SDK's throttling error codes ({@code AwsErrorCode.THROTTLING_ERROR_CODES}
 *   in aws-core), so it backs off as for throttling and retries;</li>
 *   <li>{@code "delayMillis": n} forwards the request n ms late (alone, or before a failure);</li>
 *   <li>{@code "after": true} forwards the request first, so DynamoDB acts, and only then replaces
 *   the answer (or delays it): a write that happened but whose answer was lost.</li>
 * </ul>
 * Every rule counts each request of its operation; the first rule, in the order added, whose window
 * holds the request acts on it. A request no rule acts on is forwarded untouched. Each attempt of
 * the SDK's own retries is a request of its own. The faults touch only what crosses the proxy: the
 * product's requests, never a test's or a tool's reads of DynamoDB Local at {@link #target()}.
 */
public final class DynamoDbFaults implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbFaults.class);
    /** The JSON protocol's target prefix of the DynamoDB API version the SDK speaks. */
    static final String TARGET_PREFIX = "DynamoDB_20120810.";
    static final String ERROR_TYPE_PREFIX = "com.amazonaws.dynamodb.v20120810#";
    static final String CONTENT_TYPE = "application/x-amz-json-1.0";
    /** The throttling error codes a rule may answer with, the first by default. */
    static final List<String> THROTTLES = List.of("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded");
    /** Headers the JDK's client sets itself (it refuses them) or that belong to one connection. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding");
    private static final int MAX_BODY = 16 * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final URI target;
    private final Rules rules = new Rules();

    private DynamoDbFaults(HttpServer server, ExecutorService executor, HttpClient client, URI target) {
        this.server = server;
        this.executor = executor;
        this.client = client;
        this.target = target;
    }

    /** Starts the proxy on a free loopback port, forwarding to {@code target}. */
    public static DynamoDbFaults start(URI target) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .executor(executor)
                .build();
        DynamoDbFaults proxy = new DynamoDbFaults(server, executor, client, target);
        server.createContext("/", proxy::forward);
        server.setExecutor(executor);
        server.start();
        return proxy;
    }

    /** The proxy's URL: what the functions get as {@code DYNAMODB_ENDPOINT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** DynamoDB Local itself, which no fault reaches. */
    public URI target() {
        return target;
    }

    Rules rules() {
        return rules;
    }

    @Override
    public void close() {
        server.stop(0);
        client.shutdownNow();
        executor.shutdownNow();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY);
            String operation = operation(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            Fault fault = operation == null ? null : rules.match(operation);
            Answer answer;
            try {
                if (fault != null && !fault.after()) {
                    pause(fault.delayMillis());
                }
                if (fault != null && !fault.after() && fault.fails()) {
                    LOG.info("DynamoDB fault: {} answered {} without reaching DynamoDB Local ({})", operation, fault.describe(), fault.rule());
                    answer = fault.answer();
                } else {
                    answer = send(exchange, body);
                    if (fault != null && fault.after()) {
                        pause(fault.delayMillis());
                        if (fault.fails()) {
                            LOG.info("DynamoDB fault: {} carried out, its answer {} replaced by {} ({})", operation, answer.status(), fault.describe(), fault.rule());
                            answer = fault.answer();
                        }
                    }
                }
            } catch (IOException e) {
                LOG.warn("DynamoDB Local did not answer the proxy: {}", e.toString());
                answer = new Answer(502, Map.of("Content-Type", List.of(CONTENT_TYPE)),
                        Json.write(Map.of("message", "DynamoDB Local did not answer the local runtime's proxy: " + e.getMessage())).getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            answer.headers().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    exchange.getResponseHeaders().put(name, new ArrayList<>(values));
                }
            });
            try {
                exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
                if (answer.body().length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(answer.body());
                    }
                }
            } catch (IOException gone) {
                // The client gave up first (its socket timeout, during a delay): as with DynamoDB, the answer is lost.
                LOG.debug("The DynamoDB client left before its answer: {}", gone.toString());
            }
        }
    }

    private Answer send(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        URI uri = target.resolve(exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), response.headers().map(), response.body());
    }

    private static void pause(long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    /** The operation a request names in {@code X-Amz-Target}, or null when it names none of this API version. */
    static String operation(String target) {
        if (target == null || !target.startsWith(TARGET_PREFIX)) {
            return null;
        }
        return target.substring(TARGET_PREFIX.length());
    }

    /** Every operation of the DynamoDB API, from the SDK's own client: {@code getItem(GetItemRequest)} is GetItem. */
    static Set<String> operations() {
        Set<String> names = new TreeSet<>();
        for (Method method : DynamoDbClient.class.getMethods()) {
            if (method.getParameterCount() == 1) {
                Class<?> parameter = method.getParameterTypes()[0];
                String name = parameter.getSimpleName();
                if (parameter.getPackageName().equals("software.amazon.awssdk.services.dynamodb.model") && name.endsWith("Request")) {
                    names.add(name.substring(0, name.length() - "Request".length()));
                }
            }
        }
        return names;
    }

    /** An answer to send back: DynamoDB Local's, or a fault's. */
    record Answer(int status, Map<String, List<String>> headers, byte[] body) {
    }

    /** What a rule does to one request. */
    record Fault(String rule, int status, String throttle, long delayMillis, boolean after) {
        /** Whether the request gets an error (and not only a delay). */
        boolean fails() {
            return status > 0 || throttle != null;
        }

        String errorCode() {
            if (throttle != null) {
                return throttle;
            }
            return status == 503 ? "ServiceUnavailable" : "InternalServerError";
        }

        int httpStatus() {
            return throttle != null ? 400 : status;
        }

        String describe() {
            return fails() ? httpStatus() + " " + errorCode() : "late by " + delayMillis + " ms";
        }

        Answer answer() {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("__type", ERROR_TYPE_PREFIX + errorCode());
            error.put("message", "Injected by the local runtime's DynamoDB fault proxy (" + rule + ")");
            Map<String, List<String>> headers = Map.of(
                    "Content-Type", List.of(CONTENT_TYPE),
                    "x-amzn-RequestId", List.of(UUID.randomUUID().toString().replace("-", "").toUpperCase(Locale.ROOT)));
            return new Answer(httpStatus(), headers, Json.write(error).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The rules, in the order added, with their counters. {@code POST /dev/faults/dynamodb} adds
     * one ({@link #add}, which refuses a malformed rule with a 400), {@code GET} lists them and
     * {@code DELETE} clears them.
     */
    static final class Rules {
        private static final Set<String> OPERATIONS = operations();
        private static final Set<String> FIELDS = Set.of("operation", "nth", "times", "status", "throttle", "delayMillis", "after");
        static final int MAX_RULES = 100;
        static final long MAX_DELAY_MILLIS = 60_000;

        private static final class Rule {
            final int id;
            final String operation;
            final long nth;
            final long times;
            final int status;
            final String throttle;
            final long delayMillis;
            final boolean after;
            long matched;
            long failed;

            Rule(int id, String operation, long nth, long times, int status, String throttle, long delayMillis, boolean after) {
                this.id = id;
                this.operation = operation;
                this.nth = nth;
                this.times = times;
                this.status = status;
                this.throttle = throttle;
                this.delayMillis = delayMillis;
                this.after = after;
            }

            String name() {
                return "rule " + id + ": " + operation + " #" + nth + (times > 1 ? "-#" + (nth + times - 1) : "");
            }

            Map<String, Object> describe() {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("id", id);
                out.put("operation", operation);
                out.put("nth", nth);
                out.put("times", times);
                out.put("status", status == 0 ? null : status);
                out.put("throttle", throttle);
                out.put("delayMillis", delayMillis);
                out.put("after", after);
                out.put("matched", matched);
                out.put("failed", failed);
                return out;
            }
        }

        private final List<Rule> rules = new ArrayList<>();
        private int added;

        /** Adds a rule from its JSON form; a 400 {@link HttpError} names what is wrong with it. */
        synchronized Map<String, Object> add(JsonNode request) {
            if (request == null || !request.isObject()) {
                throw HttpError.badRequest("a DynamoDB fault rule is a JSON object, such as {\"operation\":\"PutItem\",\"nth\":1,\"times\":1,\"status\":500}");
            }
            for (Iterator<String> names = request.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!FIELDS.contains(name)) {
                    throw HttpError.badRequest("unknown field '" + name + "'; a rule has " + String.join(", ", new TreeSet<>(FIELDS)));
                }
            }
            String operation = "*";
            JsonNode named = request.get("operation");
            if (named != null && !named.isNull()) {
                if (!named.isTextual()) {
                    throw HttpError.badRequest("operation must be a DynamoDB operation name such as PutItem, or \"*\"");
                }
                operation = named.asText();
                if (!operation.equals("*") && !OPERATIONS.contains(operation)) {
                    throw HttpError.badRequest("operation '" + operation + "' is not a DynamoDB operation (such as GetItem, PutItem, UpdateItem, Query), nor \"*\"");
                }
            }
            long nth = whole(request, "nth", 1, 1, Integer.MAX_VALUE);
            long times = whole(request, "times", 1, 1, Integer.MAX_VALUE);
            int status = 0;
            JsonNode code = request.get("status");
            if (code != null && !code.isNull()) {
                if (!code.isIntegralNumber() || (code.asLong() != 500 && code.asLong() != 503)) {
                    throw HttpError.badRequest("status must be 500 (InternalServerError) or 503 (ServiceUnavailable); a throttle is \"throttle\": true");
                }
                status = code.asInt();
            }
            String throttle = null;
            JsonNode throttled = request.get("throttle");
            if (throttled != null && !throttled.isNull()) {
                if (throttled.isBoolean()) {
                    throttle = throttled.asBoolean() ? THROTTLES.get(0) : null;
                } else if (throttled.isTextual() && THROTTLES.contains(throttled.asText())) {
                    throttle = throttled.asText();
                } else {
                    throw HttpError.badRequest("throttle must be true, false or one of " + String.join(", ", THROTTLES));
                }
            }
            if (status != 0 && throttle != null) {
                throw HttpError.badRequest("a rule answers with status or throttle, not both");
            }
            long delay = whole(request, "delayMillis", 0, 0, MAX_DELAY_MILLIS);
            JsonNode afterNode = request.get("after");
            if (afterNode != null && !afterNode.isNull() && !afterNode.isBoolean()) {
                throw HttpError.badRequest("after must be true or false");
            }
            boolean after = afterNode != null && afterNode.asBoolean(false);
            if (status == 0 && throttle == null && delay == 0) {
                throw HttpError.badRequest("a rule needs status, throttle or delayMillis: what happens to the requests it matches");
            }
            if (rules.size() >= MAX_RULES) {
                throw new HttpError(409, "too_many_rules", "at most " + MAX_RULES + " DynamoDB fault rules; DELETE /dev/faults/dynamodb clears them");
            }
            Rule rule = new Rule(++added, operation, nth, times, status, throttle, delay, after);
            rules.add(rule);
            return rule.describe();
        }

        /** Counts this request against every rule of its operation; the fault of the first whose window holds it, or null. */
        synchronized Fault match(String operation) {
            Fault fault = null;
            for (Rule rule : rules) {
                if (rule.operation.equals("*") || rule.operation.equals(operation)) {
                    rule.matched++;
                    if (fault == null && rule.matched >= rule.nth && rule.matched < rule.nth + rule.times) {
                        rule.failed++;
                        fault = new Fault(rule.name(), rule.status, rule.throttle, rule.delayMillis, rule.after);
                    }
                }
            }
            return fault;
        }

        synchronized List<Map<String, Object>> describe() {
            return rules.stream().map(Rule::describe).toList();
        }

        /** Removes every rule; how many there were. */
        synchronized int clear() {
            int count = rules.size();
            rules.clear();
            return count;
        }

        private static long whole(JsonNode request, String field, long fallback, long min, long max) {
            JsonNode value = request.get(field);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
                throw HttpError.badRequest(field + " must be a whole number from " + min + " to " + max);
            }
            return value.asLong();
        }
    }
}
