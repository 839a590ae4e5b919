package dev.callcontrol.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A metering proxy in front of DynamoDB Local, for the reconciler benchmark: the function under
 * measurement gets this proxy's URL as {@code DYNAMODB_ENDPOINT}, so each of its DynamoDB requests
 * crosses it and is counted: requests by operation, pages and items a {@code Query} read, items a
 * {@code GetItem} found, the bytes answered, the time DynamoDB Local took to answer each kind (the
 * proxy's round trip to it), and the read units, two ways. DynamoDB Local's own
 * figure: the proxy adds {@code "ReturnConsumedCapacity": "TOTAL"} to every read request (a
 * request for a report, which changes nothing of what is read) and sums the
 * {@code ConsumedCapacity} DynamoDB Local answers. And DynamoDB's published rules applied to the
 * items answered: an item's size is the UTF-8 length of its attribute names and values, a number
 * about one byte per two significant digits plus one
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html);
 * a strongly consistent {@code GetItem} costs one unit per 4 KB of its item, rounded up; a
 * {@code Query} page costs the sum of its items' sizes rounded up to 4 KB, half a unit per 4 KB when
 * eventually consistent, as every read of a global secondary index is
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
 * Answers go back to the client byte for byte (the SDK checks their CRC32).
 */
final class DynamoDbMeter implements AutoCloseable {
    private static final String TARGET_PREFIX = "DynamoDB_20120810.";
    private static final Set<String> READS = Set.of("GetItem", "Query", "Scan", "BatchGetItem");
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding");
    private static final int UNIT = 4096;

    /** What crossed the proxy since the last {@link #reset}. */
    record Reading(Map<String, Long> requests, long queryPages, long queryItems, long maxPageItems, long queryBytes, long getItems, long getBytes,
                   long maxItemBytes, double reportedUnits, boolean reported, double queryUnits, double getUnits, long answerBytes,
                   double queryMillis, double getMillis) {
        long requests(String operation) {
            return requests.getOrDefault(operation, 0L);
        }

        /** Read units from DynamoDB's rules: the index's pages and the records. */
        double computedUnits() {
            return queryUnits + getUnits;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final URI target;
    private Map<String, Long> requests = new TreeMap<>();
    private long queryPages;
    private long queryItems;
    private long maxPageItems;
    private double queryMillis;
    private double getMillis;
    private long queryBytes;
    private long getItems;
    private long getBytes;
    private long maxItemBytes;
    private double reportedUnits;
    private boolean reported;
    private double queryUnits;
    private double getUnits;
    private long answerBytes;

    private DynamoDbMeter(HttpServer server, ExecutorService executor, HttpClient client, URI target) {
        this.server = server;
        this.executor = executor;
        this.client = client;
        this.target = target;
    }

    /** Starts the meter on a free loopback port, forwarding to {@code target}. */
    static DynamoDbMeter start(URI target) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .executor(executor).build();
        DynamoDbMeter meter = new DynamoDbMeter(server, executor, client, target);
        server.createContext("/", meter::forward);
        server.setExecutor(executor);
        server.start();
        return meter;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    synchronized void reset() {
        requests = new TreeMap<>();
        queryPages = queryItems = maxPageItems = queryBytes = getItems = getBytes = maxItemBytes = answerBytes = 0;
        reportedUnits = queryUnits = getUnits = queryMillis = getMillis = 0;
        reported = false;
    }

    synchronized Reading reading() {
        return new Reading(Map.copyOf(requests), queryPages, queryItems, maxPageItems, queryBytes, getItems, getBytes, maxItemBytes, reportedUnits,
                reported, queryUnits, getUnits, answerBytes, queryMillis, getMillis);
    }

    @Override
    public void close() {
        server.stop(0);
        client.shutdownNow();
        executor.shutdownNow();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String header = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = header != null && header.startsWith(TARGET_PREFIX) ? header.substring(TARGET_PREFIX.length()) : "?";
            boolean consistent = false;
            if (READS.contains(operation)) {
                ObjectNode request = (ObjectNode) Json.MAPPER.readTree(body);
                consistent = request.path("ConsistentRead").asBoolean(false);
                request.put("ReturnConsumedCapacity", "TOTAL");
                body = Json.MAPPER.writeValueAsBytes(request);
            }
            HttpResponse<byte[]> response;
            long start = System.nanoTime();
            try {
                response = send(exchange, body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            double millis = (System.nanoTime() - start) / 1e6;
            if (response.statusCode() == 200) {
                count(operation, consistent, response.body(), millis);
            } else {
                synchronized (this) {
                    requests.merge(operation + " (status " + response.statusCode() + ")", 1L, Long::sum);
                }
            }
            response.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    exchange.getResponseHeaders().put(name, new ArrayList<>(values));
                }
            });
            exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
            if (response.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        }
    }

    private HttpResponse<byte[]> send(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        URI uri = target.resolve(exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private void count(String operation, boolean consistent, byte[] answer, double millis) throws IOException {
        JsonNode response = Json.MAPPER.readTree(answer);
        synchronized (this) {
            requests.merge(operation, 1L, Long::sum);
            answerBytes += answer.length;
            JsonNode consumed = response.path("ConsumedCapacity");
            for (JsonNode each : consumed.isArray() ? consumed : java.util.List.of(consumed)) {
                if (each.has("CapacityUnits")) {
                    reported = true;
                    reportedUnits += each.path("CapacityUnits").asDouble();
                }
            }
            double perUnit = consistent ? 1.0 : 0.5;
            switch (operation) {
                case "GetItem" -> {
                    getMillis += millis;
                    if (response.hasNonNull("Item")) {
                        long size = itemSize(response.get("Item"));
                        getItems++;
                        getBytes += size;
                        maxItemBytes = Math.max(maxItemBytes, size);
                        getUnits += units(size) * perUnit;
                    } else {
                        getUnits += perUnit;
                    }
                }
                case "Query", "Scan" -> {
                    long page = 0;
                    queryMillis += millis;
                    maxPageItems = Math.max(maxPageItems, response.path("Items").size());
                    for (JsonNode item : response.path("Items")) {
                        page += itemSize(item);
                        queryItems++;
                    }
                    queryPages++;
                    queryBytes += page;
                    queryUnits += units(page) * perUnit;
                }
                default -> {
                }
            }
        }
    }

    /** 4 KB units, rounded up; a read that finds nothing still costs one. */
    private static long units(long bytes) {
        return Math.max(1, (bytes + UNIT - 1) / UNIT);
    }

    /** An item's size by DynamoDB's rules (CapacityUnitCalculations), from its wire form ({"name": {"S": "..."}}). */
    static long itemSize(JsonNode item) {
        long size = 0;
        for (Iterator<Map.Entry<String, JsonNode>> fields = item.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            size += field.getKey().getBytes(StandardCharsets.UTF_8).length + valueSize(field.getValue());
        }
        return size;
    }

    private static long valueSize(JsonNode value) {
        Map.Entry<String, JsonNode> typed = value.fields().next();
        JsonNode content = typed.getValue();
        return switch (typed.getKey()) {
            case "S" -> content.asText().getBytes(StandardCharsets.UTF_8).length;
            case "N" -> numberSize(content.asText());
            case "B" -> Base64.getDecoder().decode(content.asText()).length;
            case "BOOL", "NULL" -> 1;
            case "SS" -> {
                long sum = 0;
                for (JsonNode each : content) {
                    sum += each.asText().getBytes(StandardCharsets.UTF_8).length;
                }
                yield sum;
            }
            case "NS" -> {
                long sum = 0;
                for (JsonNode each : content) {
                    sum += numberSize(each.asText());
                }
                yield sum;
            }
            case "L" -> {
                long sum = 3;
                for (JsonNode each : content) {
                    sum += 1 + valueSize(each);
                }
                yield sum;
            }
            case "M" -> {
                long sum = 3;
                for (Iterator<Map.Entry<String, JsonNode>> fields = content.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    sum += 1 + field.getKey().getBytes(StandardCharsets.UTF_8).length + valueSize(field.getValue());
                }
                yield sum;
            }
            default -> content.toString().length();
        };
    }

    /** About one byte per two significant digits, plus one. */
    private static long numberSize(String number) {
        String digits = number.replace("-", "").replace(".", "");
        int exponent = digits.toLowerCase(Locale.ROOT).indexOf('e');
        if (exponent >= 0) {
            digits = digits.substring(0, exponent);
        }
        digits = digits.replaceAll("^0+", "").replaceAll("0+$", "");
        return (digits.length() + 1) / 2 + 1;
    }
}
