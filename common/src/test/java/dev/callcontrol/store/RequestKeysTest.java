package dev.callcontrol.store;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.Idempotency;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.testing.ApiEvents;
import dev.callcontrol.testing.DynamoDbEngines;
import dev.callcontrol.testing.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code Idempotency-Key}s of {@code POST /calls}, in items of their own in the calls table: the rules of {@code Idempotency} against DynamoDB. */
class RequestKeysTest {
    private static final Principal ALICE = new Principal("WK00000000000000000000000000000001", false);
    private static final Principal BOB = new Principal("WK00000000000000000000000000000002", false);
    private static final String BODY = "{\"to\": \"+14155550100\"}";

    private static ApiRequest request(String key, String body) {
        return ApiRequest.from(ApiEvents.event("POST", "/calls", "$default", "",
                Map.of("Content-Type", "application/json", Idempotency.HEADER, key), body, false));
    }

    private record Setup(Idempotency idempotency, MutableClock clock, DynamoDbEngines.Engine engine, String table, AtomicInteger dials) {
        APIGatewayV2HTTPResponse send(Principal who, String key, String body) {
            return idempotency.once(request(key, body), who, () -> ApiResponses.json(202, Map.of("taskSid", "WT" + dials.incrementAndGet())));
        }

        APIGatewayV2HTTPResponse send(Principal who, String key, Supplier<APIGatewayV2HTTPResponse> work) {
            return idempotency.once(request(key, BODY), who, work);
        }
    }

    private static Setup setUp(DynamoDbEngines.Source source) {
        var engine = source.get();
        String table = engine.createCallsTable();
        // Today, to the second: DynamoDB Local honours the TTL.
        MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        RequestKeys keys = new RequestKeys(engine.client(), table, clock);
        return new Setup(new Idempotency(() -> keys, clock), clock, engine, table, new AtomicInteger());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void theSameKeyAndBodyGetTheSameTask(DynamoDbEngines.Source source) {
        Setup s = setUp(source);
        APIGatewayV2HTTPResponse first = s.send(ALICE, "dial-1", BODY);
        APIGatewayV2HTTPResponse again = s.send(ALICE, "dial-1", "{ \"to\" : \"+14155550100\" }");
        assertEquals(202, again.getStatusCode());
        assertEquals(first.getBody(), again.getBody());
        assertEquals(1, s.dials().get());
        var item = s.engine().client().getItem(b -> b.tableName(s.table()).key(RequestKeys.key(ALICE.workerSid() + " POST /calls dial-1"))).item();
        long expiresAt = Long.parseLong(item.get("expiresAt").n());
        assertEquals(s.clock().instant().plus(Duration.ofHours(24)).getEpochSecond(), expiresAt, "the item expires (TTL)");
        assertFalse(item.containsKey("liveShard"), "a key is not a live call");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void keysAreTheCallersOwnAndABodyMayNotChange(DynamoDbEngines.Source source) {
        Setup s = setUp(source);
        s.send(ALICE, "dial-1", BODY);
        assertEquals("{\"taskSid\":\"WT2\"}", s.send(BOB, "dial-1", BODY).getBody(), "bob's request with alice's key is his own");
        HttpError reused = assertThrows(HttpError.class, () -> s.send(ALICE, "dial-1", "{\"to\": \"+14155550101\"}"));
        assertEquals(422, reused.status());
        assertEquals("idempotency_key_reused", reused.code());
        assertEquals(2, s.dials().get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void refusalsAndFailuresFreeTheKey(DynamoDbEngines.Source source) {
        Setup s = setUp(source);
        assertThrows(HttpError.class, () -> s.send(ALICE, "dial-1", () -> {
            throw new HttpError(403, "destination_not_allowed", "no");
        }));
        assertEquals(503, s.send(ALICE, "dial-1", () -> ApiResponses.error(HttpError.unavailable())).getStatusCode());
        assertEquals(202, s.send(ALICE, "dial-1", BODY).getStatusCode());
        assertEquals(1, s.dials().get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void aMarkerLeftByACrashExpires(DynamoDbEngines.Source source) {
        Setup s = setUp(source);
        RequestKeys keys = new RequestKeys(s.engine().client(), s.table(), s.clock());
        var marker = new dev.callcontrol.calls.CallRecord.StoredAnswer();
        marker.by = ALICE.workerSid();
        marker.fingerprint = "sha256:whatever";
        marker.startedAt = s.clock().instant().toString();
        String id = ALICE.workerSid() + " POST /calls dial-1";
        assertEquals(null, keys.claim(id, marker, kept -> false));
        assertEquals(marker.startedAt, keys.claim(id, marker, kept -> false).startedAt, "a second claim finds the first");
        // The crashed invocation's marker carries another fingerprint; the retry sees its own as in progress after the same body:
        HttpError running = assertThrows(HttpError.class, () -> s.send(ALICE, "dial-1", () -> ApiResponses.json(202, Map.of())));
        assertEquals(422, running.status(), "another body, even while running, is 422");
        keys.release(id, marker);
        Idempotency idempotency = new Idempotency(() -> keys, s.clock());
        // A marker of the same request, left by a crash:
        AtomicInteger ran = new AtomicInteger();
        Supplier<APIGatewayV2HTTPResponse> dial = () -> ApiResponses.json(202, Map.of("taskSid", "WT" + ran.incrementAndGet()));
        dev.callcontrol.agent.IdempotencyKeys crashing = new dev.callcontrol.agent.IdempotencyKeys() {
            @Override
            public dev.callcontrol.calls.CallRecord.StoredAnswer claim(String id, dev.callcontrol.calls.CallRecord.StoredAnswer marker,
                                                                        java.util.function.Predicate<dev.callcontrol.calls.CallRecord.StoredAnswer> replaceable) {
                return keys.claim(id, marker, replaceable);
            }

            @Override
            public void keep(String id, dev.callcontrol.calls.CallRecord.StoredAnswer marker, dev.callcontrol.calls.CallRecord.StoredAnswer answer) {
                throw new IllegalStateException("the invocation ended here");
            }

            @Override
            public void release(String id, dev.callcontrol.calls.CallRecord.StoredAnswer marker) {
                keys.release(id, marker);
            }
        };
        assertThrows(IllegalStateException.class, () -> new Idempotency(() -> crashing, s.clock()).once(request("dial-2", BODY), ALICE, dial));
        s.clock().advance(Idempotency.IN_PROGRESS.minusSeconds(1));
        HttpError inProgress = assertThrows(HttpError.class, () -> idempotency.once(request("dial-2", BODY), ALICE, dial));
        assertEquals(409, inProgress.status());
        assertEquals("request_in_progress", inProgress.code());
        s.clock().advance(Duration.ofSeconds(1));
        assertEquals("{\"taskSid\":\"WT2\"}", idempotency.once(request("dial-2", BODY), ALICE, dial).getBody(), "the retry runs after the marker expired");
        assertEquals("{\"taskSid\":\"WT2\"}", idempotency.once(request("dial-2", BODY), ALICE, dial).getBody(), "and is kept");
        assertEquals(2, ran.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void requestsRacingWithOneKeyRunOnce(DynamoDbEngines.Source source) throws Exception {
        Setup s = setUp(source);
        int racers = 6;
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Callable<Integer>> tasks = new java.util.ArrayList<>();
            for (int i = 0; i < racers; i++) {
                tasks.add(() -> {
                    start.await();
                    try {
                        return s.send(ALICE, "race", () -> {
                            entered.countDown();
                            try {
                                letGo.await(20, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return ApiResponses.json(202, Map.of("taskSid", "WT" + s.dials().incrementAndGet()));
                        }).getStatusCode();
                    } catch (HttpError e) {
                        return e.status();
                    }
                });
            }
            List<Future<Integer>> results = tasks.stream().map(pool::submit).toList();
            start.countDown();
            assertTrue(entered.await(20, java.util.concurrent.TimeUnit.SECONDS), "one request runs");
            // Every other racer answers while the one running is held.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (results.stream().filter(Future::isDone).count() < racers - 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            letGo.countDown();
            int conflicts = 0;
            for (Future<Integer> result : results) {
                int status = result.get();
                assertTrue(status == 202 || status == 409, "status " + status);
                conflicts += status == 409 ? 1 : 0;
            }
            assertEquals(1, s.dials().get(), "one dial");
            assertEquals(racers - 1, conflicts);
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void anExpiredItemNotYetRemovedCountsAsGone(DynamoDbEngines.Source source) {
        Setup s = setUp(source);
        s.send(ALICE, "dial-1", BODY);
        s.clock().advance(Duration.ofHours(24));
        assertEquals("{\"taskSid\":\"WT2\"}", s.send(ALICE, "dial-1", BODY).getBody());
        Map<String, AttributeValue> item = s.engine().client()
                .getItem(b -> b.tableName(s.table()).key(RequestKeys.key(ALICE.workerSid() + " POST /calls dial-1"))).item();
        assertEquals("202", item.get("status").n());
    }
}
