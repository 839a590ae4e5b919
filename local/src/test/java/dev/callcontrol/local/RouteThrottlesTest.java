package dev.callcontrol.local;

import dev.callcontrol.testing.Project;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The route throttles read from template.yaml, each a token bucket on a clock the test moves. */
class RouteThrottlesTest {
    private static final Intrinsics PARAMETERS = new Intrinsics(name -> switch (name) {
        case "Rate" -> "2";
        case "Burst" -> "3";
        default -> null;
    });

    /** The template's parameters at their defaults, as a deployment with none given resolves them. */
    private static Intrinsics defaults(SamTemplate template) {
        return new Intrinsics(name -> {
            Object parameter = template.parameters().get(name);
            return parameter instanceof Map<?, ?> definition ? String.valueOf(definition.get("Default")) : null;
        });
    }

    private static int admitted(RouteThrottles throttles, String route, int requests) {
        int admitted = 0;
        for (int i = 0; i < requests; i++) {
            admitted += throttles.admit(route) ? 1 : 0;
        }
        return admitted;
    }

    @Test
    void aRouteTakesItsBurstAtOnceThenItsRateAndTheDefaultAppliesToEachOtherRouteOnItsOwn() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        RouteThrottles throttles = RouteThrottles.of(List.of(
                        new SamTemplate.Throttle(null, 1, 2),
                        new SamTemplate.Throttle("POST /twilio/assignment", Map.of("Ref", "Rate"), Map.of("Ref", "Burst"))),
                PARAMETERS, List.of("POST /twilio/assignment", "GET /calls", "POST /calls"), now::get);

        assertEquals(3, admitted(throttles, "POST /twilio/assignment", 10), "the burst at once, then 429");
        now.addAndGet(1_000_000_000L);
        assertEquals(2, admitted(throttles, "POST /twilio/assignment", 10), "two tokens a second");
        now.addAndGet(60_000_000_000L);
        assertEquals(3, admitted(throttles, "POST /twilio/assignment", 10), "never more than the burst, however long it rested");

        assertEquals(2, admitted(throttles, "GET /calls", 10), "the default route throttle");
        assertEquals(2, admitted(throttles, "POST /calls", 10), "a bucket per route: another route's requests took none of its tokens");
        now.addAndGet(500_000_000L);
        assertEquals(0, admitted(throttles, "GET /calls", 1), "half a token is no token");
        now.addAndGet(500_000_000L);
        assertEquals(1, admitted(throttles, "GET /calls", 1));
    }

    @Test
    void simulatedTimeRefillsTheBucketsAsWallClockTimeDoes() throws IOException {
        SamTemplate template = SamTemplate.read(Project.template());
        Intrinsics defaults = defaults(template);
        MovableClock simulated = new MovableClock();
        RouteThrottles throttles = RouteThrottles.of(template, defaults, List.of("POST /twilio/taskrouter-events"), Map.of(), simulated);
        int burst = Integer.parseInt(defaults.resolve(Map.of("Ref", "TwilioRouteBurstLimit")));
        assertEquals(burst, admitted(throttles, "POST /twilio/taskrouter-events", burst * 2), "the burst at once");
        simulated.advance(java.time.Duration.ofMinutes(1));
        assertEquals(burst, admitted(throttles, "POST /twilio/taskrouter-events", burst * 2), "a simulated minute refilled the bucket");
    }

    /** A clock only the test moves, as the simulator's is. */
    private static final class MovableClock extends java.time.Clock {
        private java.time.Instant now = java.time.Instant.parse("2026-12-07T10:00:00Z");

        void advance(java.time.Duration by) {
            now = now.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    @Test
    void withoutAThrottleOrWithThrottlingOffEveryRequestIsAdmitted() throws IOException {
        RouteThrottles routeOnly = RouteThrottles.of(List.of(new SamTemplate.Throttle("POST /twilio/assignment", 1, 1)), PARAMETERS,
                List.of("POST /twilio/assignment", "GET /calls"), System::nanoTime);
        assertFalse(routeOnly.throttled("GET /calls"));
        assertEquals(100, admitted(routeOnly, "GET /calls", 100));

        SamTemplate template = SamTemplate.read(Project.template());
        Intrinsics defaults = defaults(template);
        RouteThrottles off = RouteThrottles.of(template, defaults, List.of("POST /twilio/assignment"), Map.of(RouteThrottles.VARIABLE, "off"), null);
        assertEquals(1000, admitted(off, "POST /twilio/assignment", 1000));
        assertThrows(IllegalArgumentException.class,
                () -> RouteThrottles.of(template, defaults, List.of(), Map.of(RouteThrottles.VARIABLE, "sometimes"), null));
    }

    @Test
    void theTemplateThrottlesEveryTwilioRouteOnItsOwnAndEveryAgentRouteByDefault() throws IOException {
        SamTemplate template = SamTemplate.read(Project.template());
        Intrinsics defaults = defaults(template);
        List<String> routes = template.functions().stream().flatMap(f -> f.routes().stream())
                .map(route -> route.method() + " " + route.path()).toList();
        RouteThrottles throttles = RouteThrottles.of(template, defaults, routes, Map.of(), null);
        for (String route : routes) {
            assertTrue(throttles.throttled(route), route + " has a throttle");
        }
        assertTrue(template.throttles().stream().anyMatch(t -> "POST /twilio/assignment".equals(t.routeKey())), "the assignment callback's own throttle");
    }
}
