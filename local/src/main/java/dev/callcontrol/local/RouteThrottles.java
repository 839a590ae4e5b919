package dev.callcontrol.local;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The HTTP API's route throttles, as template.yaml sets them ({@code RouteSettings} for a route,
 * {@code DefaultRouteSettings} for every other one): a token bucket per route that holds up to the
 * burst limit and refills at the rate limit, one token a request, and a request that finds the
 * bucket empty answered 429 by API Gateway without invoking anything. Source:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html (the token
 * bucket, route throttles overriding the stage's default, "Clients may receive 429 Too Many
 * Requests"). Assumptions: the page calls its limits "targets rather than guaranteed request
 * ceilings" and applied "on a best-effort basis"; this bucket is exact, and nothing in the product
 * depends on where exactly API Gateway starts refusing. The account's own limit per Region (10,000
 * requests a second by default) is not modelled. Time is the wall clock's, plus the simulator's
 * when there is one (see {@link #of(SamTemplate, Intrinsics, List, Map, java.time.Clock)}).
 * {@value #VARIABLE}{@code =off} turns them off for a local run that floods on purpose.
 */
final class RouteThrottles {
    static final String VARIABLE = "LOCAL_THROTTLING";

    /** One route's bucket. */
    private static final class Bucket {
        private final double ratePerNano;
        private final double burst;
        private double tokens;
        private long refilledAt;

        Bucket(double ratePerSecond, double burst, long now) {
            this.ratePerNano = ratePerSecond / 1e9;
            this.burst = burst;
            this.tokens = burst;
            this.refilledAt = now;
        }

        synchronized boolean take(long now) {
            tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }

    private final Map<String, Bucket> buckets;
    private final LongSupplier nanoTime;

    private RouteThrottles(Map<String, Bucket> buckets, LongSupplier nanoTime) {
        this.buckets = buckets;
        this.nanoTime = nanoTime;
    }

    /** No throttle on any route. */
    static RouteThrottles none() {
        return new RouteThrottles(Map.of(), System::nanoTime);
    }

    /**
     * The template's throttles for these route keys ({@code METHOD /path}), unless {@value #VARIABLE}
     * is {@code off}. The buckets refill as {@code simulated} time passes too (a clock the simulator
     * moves, or null): the simulator compresses minutes of a call centre into milliseconds, and the
     * webhooks it sends in a simulated minute are the ones Twilio would spread over a real one.
     */
    static RouteThrottles of(SamTemplate template, Intrinsics intrinsics, List<String> routeKeys, Map<String, String> environment,
                             java.time.Clock simulated) {
        String mode = environment.getOrDefault(VARIABLE, "template").trim();
        LongSupplier time = System::nanoTime;
        if (simulated != null) {
            long simulatedStart = simulated.millis();
            time = () -> System.nanoTime() + (simulated.millis() - simulatedStart) * 1_000_000L;
        }
        LongSupplier now = time;
        return switch (mode) {
            case "", "template" -> of(template.throttles(), intrinsics, routeKeys, now);
            case "off" -> none();
            default -> throw new IllegalArgumentException(VARIABLE + " must be template or off, not '" + mode + "'");
        };
    }

    static RouteThrottles of(List<SamTemplate.Throttle> throttles, Intrinsics intrinsics, List<String> routeKeys, LongSupplier nanoTime) {
        SamTemplate.Throttle fallback = null;
        Map<String, SamTemplate.Throttle> byRoute = new HashMap<>();
        for (SamTemplate.Throttle throttle : throttles) {
            if (throttle.routeKey() == null) {
                fallback = throttle;
            } else {
                byRoute.put(throttle.routeKey(), throttle);
            }
        }
        long now = nanoTime.getAsLong();
        Map<String, Bucket> buckets = new HashMap<>();
        for (String routeKey : routeKeys) {
            SamTemplate.Throttle throttle = byRoute.getOrDefault(routeKey, fallback);
            if (throttle != null && throttle.rateLimit() != null && throttle.burstLimit() != null) {
                buckets.put(routeKey, new Bucket(number(intrinsics, throttle.rateLimit(), routeKey), number(intrinsics, throttle.burstLimit(), routeKey), now));
            }
        }
        return new RouteThrottles(Map.copyOf(buckets), nanoTime);
    }

    private static double number(Intrinsics intrinsics, Object value, String routeKey) {
        String resolved = intrinsics.resolve(value);
        try {
            return Double.parseDouble(resolved.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("the throttle of " + routeKey + " is not a number: '" + resolved + "'");
        }
    }

    /** Takes a token for a request to this route: false when API Gateway would answer 429. */
    boolean admit(String routeKey) {
        Bucket bucket = buckets.get(routeKey);
        return bucket == null || bucket.take(nanoTime.getAsLong());
    }

    /** Whether any route has a throttle. */
    boolean any() {
        return !buckets.isEmpty();
    }

    /** Whether this route has a throttle. */
    boolean throttled(String routeKey) {
        return buckets.containsKey(routeKey);
    }
}
