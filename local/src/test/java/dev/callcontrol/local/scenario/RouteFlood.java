package dev.callcontrol.local.scenario;

import dev.callcontrol.local.LocalRuntime;
import dev.callcontrol.local.SamTemplate;
import dev.callcontrol.testing.Project;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Four times a route's burst sent at once, and the bounds API Gateway's throttle (as template.yaml
 * sets it, at its parameters' defaults) puts on what gets through: every request is either let
 * through, with the status the route gives it, or answered 429 by API Gateway itself; no more are
 * let through than the bucket holds plus its refill while the flood lasted; a flood faster than
 * the rate is throttled; and the function runs for exactly the requests let through. Afterwards
 * simulated time is moved on until the bucket is full again, as real time would refill it.
 */
final class RouteFlood {
    private static final int IN_FLIGHT = 32;
    private final double rate;
    private final int burst;

    private RouteFlood(double rate, int burst) {
        this.rate = rate;
        this.burst = burst;
    }

    /** The throttle of the template's parameters {@code <prefix>RateLimit} and {@code <prefix>BurstLimit}. */
    static RouteFlood of(String parameterPrefix) throws IOException {
        Map<String, Object> parameters = SamTemplate.read(Project.template()).parameters();
        return new RouteFlood(Double.parseDouble(defaultOf(parameters, parameterPrefix + "RateLimit")),
                Integer.parseInt(defaultOf(parameters, parameterPrefix + "BurstLimit")));
    }

    private static String defaultOf(Map<String, Object> parameters, String name) {
        return String.valueOf(((Map<?, ?>) parameters.get(name)).get("Default"));
    }

    /**
     * Sends the flood and checks the bounds; {@code letThrough} is the status each request API
     * Gateway lets through must get from {@code function}. Answers how many were let through.
     */
    int send(HttpClient http, Supplier<HttpRequest> request, LocalRuntime runtime, String function, int letThrough) {
        int flood = burst * 4;
        long invokedBefore = runtime.invocations(function);
        long started = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        // At most IN_FLIGHT at once, each on a connection of its own: far above the rate, and below the
        // idle connections the JDK's HTTP server keeps (200), beyond which it closes connections the
        // client may be about to reuse.
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(IN_FLIGHT);
        for (int i = 0; i < flood; i++) {
            inFlight.acquireUninterruptibly();
            answers.add(http.sendAsync(request.get(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> inFlight.release()));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.join();
            statuses.merge(response.statusCode(), 1, Integer::sum);
            if (response.statusCode() == 429) {
                assertEquals("{\"message\":\"Too Many Requests\"}", response.body(), "API Gateway's own answer");
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int throttled = statuses.getOrDefault(429, 0);
        int through = statuses.getOrDefault(letThrough, 0);
        assertEquals(flood, throttled + through, "each request was throttled or got " + letThrough + ": " + statuses);
        assertTrue(through <= burst + rate * seconds + 1, through + " let through in " + seconds + " s: at most the burst and the rate's refill");
        assertTrue(throttled > 0 || seconds > (flood - burst) / rate, "a flood faster than the rate is throttled: " + statuses + " in " + seconds + " s");
        assertEquals(through, runtime.invocations(function) - invokedBefore, "the function ran for the requests let through only");
        return through;
    }

    /** Seconds of simulated time after which the bucket is full again. */
    int refillSeconds() {
        return (int) Math.ceil(burst / rate) + 1;
    }
}
