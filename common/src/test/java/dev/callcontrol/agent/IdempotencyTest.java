package dev.callcontrol.agent;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.testing.ApiEvents;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules of {@code Idempotency-Key} (issue 19, finding 4), on a call's record and on keys of their own. */
class IdempotencyTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final Principal AGENT = new Principal("WK00000000000000000000000000000001", false);
    private static final Principal TARGET = new Principal("WK00000000000000000000000000000002", false);
    private static final Principal OUTSIDER = new Principal("WK00000000000000000000000000000003", false);
    private static final String PATH = "/calls/" + TASK + "/warm-transfer";
    private static final String BODY = "{\"to\": {\"worker\": \"carol\"}}";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryCallRecords records = new InMemoryCallRecords();
    private final Idempotency idempotency = new Idempotency(records, clock);
    private final AtomicInteger runs = new AtomicInteger();

    IdempotencyTest() {
        CallRecord call = new CallRecord(TASK);
        call.workerSid = AGENT.workerSid();
        CallRecord.Leg leg = new CallRecord.Leg();
        leg.callSid = "CA00000000000000000000000000000002";
        leg.workerSid = TARGET.workerSid();
        call.legs.put(leg.callSid, leg);
        records.update(TASK, () -> call, record -> true);
    }

    private static ApiRequest request(String key, String body) {
        Map<String, String> headers = new HashMap<>(Map.of("Content-Type", "application/json"));
        if (key != null) {
            headers.put(Idempotency.HEADER, key);
        }
        return ApiRequest.from(ApiEvents.event("POST", PATH, "$default", "", headers, body, false));
    }

    /** A command that counts its runs and answers 201 with the run's number. */
    private Supplier<APIGatewayV2HTTPResponse> command() {
        return () -> ApiResponses.json(201, Map.of("run", runs.incrementAndGet()));
    }

    private APIGatewayV2HTTPResponse send(Principal who, String key, String body, Supplier<APIGatewayV2HTTPResponse> work) {
        return idempotency.once(request(key, body), who, TASK, work);
    }

    private static HttpError refused(Supplier<APIGatewayV2HTTPResponse> request) {
        return assertThrows(HttpError.class, request::get);
    }

    @Test
    void aRepeatGetsTheFirstAnswerAndRunsNothing() {
        APIGatewayV2HTTPResponse first = send(AGENT, "k1", BODY, command());
        APIGatewayV2HTTPResponse again = send(AGENT, "k1", BODY, command());
        assertEquals(201, again.getStatusCode());
        assertEquals(first.getBody(), again.getBody());
        assertEquals(1, runs.get());
    }

    @Test
    void theSameBodySpeltAnotherWayIsTheSameRequest() {
        send(AGENT, "k1", "{\"a\":1,\"to\":{\"worker\":\"carol\"}}", command());
        APIGatewayV2HTTPResponse again = send(AGENT, "k1", "{ \"to\" : {\"worker\":\"carol\"}, \"a\" : 1 }", command());
        assertEquals(201, again.getStatusCode());
        assertEquals(1, runs.get());
    }

    @Test
    void aKeyReusedWithAnotherBodyIs422AndRunsNothing() {
        send(AGENT, "k1", BODY, command());
        HttpError error = refused(() -> send(AGENT, "k1", "{\"to\": {\"worker\": \"dave\"}}", command()));
        assertEquals(422, error.status());
        assertEquals("idempotency_key_reused", error.code());
        assertEquals(1, runs.get());
    }

    @Test
    void anotherWorkersRequestWithTheSameKeyIsTheirOwn() {
        send(AGENT, "shared", BODY, command());
        APIGatewayV2HTTPResponse theirs = send(TARGET, "shared", BODY, command());
        assertEquals("{\"run\":2}", theirs.getBody(), "the target's request ran, and was not answered with the agent's");
        assertEquals("{\"run\":1}", send(AGENT, "shared", BODY, command()).getBody(), "the agent's key still answers the agent");
        assertEquals(2, runs.get());
    }

    @Test
    void someoneNotOnTheCallIsRefusedBeforeTheKeyIsReadOrKept() {
        long version = records.find(TASK).orElseThrow().version;
        String before = records.find(TASK).orElseThrow().answers.toString();
        HttpError error = refused(() -> send(OUTSIDER, "planted", BODY, command()));
        assertEquals(403, error.status());
        assertEquals(0, runs.get());
        assertEquals(version, records.find(TASK).orElseThrow().version);
        assertTrue(records.find(TASK).orElseThrow().answers.isEmpty(), before);
        // and their key does not stand in the agent's way
        assertEquals(201, send(AGENT, "planted", BODY, command()).getStatusCode());
        assertEquals(1, runs.get());
    }

    @Test
    void aRefusalIsNotKeptSoALaterRequestWithTheKeyRuns() {
        for (int status : new int[] {403, 409, 404, 400}) {
            String key = "refused-" + status;
            HttpError error = refused(() -> send(AGENT, key, BODY, () -> {
                throw new HttpError(status, "no", "refused");
            }));
            assertEquals(status, error.status());
            assertTrue(records.find(TASK).orElseThrow().answers.keySet().stream().noneMatch(id -> id.endsWith(key)), "no key kept after " + status);
            assertEquals(201, send(AGENT, key, BODY, command()).getStatusCode(), "the key runs after a " + status);
        }
        assertEquals(4, runs.get());
    }

    @Test
    void aFailureIsNotKeptEither() {
        assertEquals(503, send(AGENT, "k", BODY, () -> ApiResponses.error(HttpError.unavailable())).getStatusCode());
        assertThrows(IllegalStateException.class, () -> send(AGENT, "k", BODY, () -> {
            throw new IllegalStateException("DynamoDB failed");
        }));
        assertEquals(201, send(AGENT, "k", BODY, command()).getStatusCode());
        assertEquals(1, runs.get());
    }

    @Test
    void aRepeatWhileTheFirstRunsIs409() {
        APIGatewayV2HTTPResponse outer = send(AGENT, "k", BODY, () -> {
            HttpError inner = refused(() -> send(AGENT, "k", BODY, command()));
            assertEquals(409, inner.status());
            assertEquals("request_in_progress", inner.code());
            return command().get();
        });
        assertEquals(201, outer.getStatusCode());
        assertEquals(1, runs.get());
    }

    @Test
    void aCrashedRequestsMarkerExpiresAndTheKeyCanBeRetried() {
        // What a crashed invocation leaves behind: its marker, and no answer.
        records.failWritesOf = record -> record.answers.values().stream().anyMatch(a -> a.status == 201);
        assertThrows(IllegalStateException.class, () -> send(AGENT, "k", BODY, command()));
        records.failWritesOf = record -> false;
        assertEquals(1, runs.get());
        clock.advance(Idempotency.IN_PROGRESS.minusSeconds(1));
        assertEquals(409, refused(() -> send(AGENT, "k", BODY, command())).status(), "still in progress within " + Idempotency.IN_PROGRESS);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(201, send(AGENT, "k", BODY, command()).getStatusCode(), "the retry runs once the marker has expired");
        assertEquals(2, runs.get());
        assertEquals("{\"run\":2}", send(AGENT, "k", BODY, command()).getBody(), "and its answer is kept");
    }

    @Test
    void oneCallersKeysNeverEvictAnothers() {
        send(AGENT, "agents", BODY, command());
        for (int i = 0; i < Idempotency.KEPT_PER_CALLER + 5; i++) {
            send(TARGET, "targets-" + i, BODY, command());
        }
        int ran = runs.get();
        assertEquals("{\"run\":1}", send(AGENT, "agents", BODY, command()).getBody(), "the agent's key survived");
        assertEquals(ran, runs.get());
        send(TARGET, "targets-0", BODY, command());
        assertEquals(ran + 1, runs.get(), "the target's own oldest key made way for their newer ones");
        long kept = records.find(TASK).orElseThrow().answers.values().stream().filter(a -> TARGET.workerSid().equals(a.by)).count();
        assertEquals(Idempotency.KEPT_PER_CALLER, kept);
    }

    @Test
    void keysKeptBeforeKeysHadCallersAreDropped() {
        records.update(TASK, () -> null, record -> {
            CallRecord.StoredAnswer old = new CallRecord.StoredAnswer();
            old.status = 201;
            old.body = "{}";
            record.answers.put("POST " + PATH + " k", old);
            return true;
        });
        send(AGENT, "k", BODY, command());
        assertEquals(1, runs.get(), "an unscoped answer is never replayed");
        assertNull(records.find(TASK).orElseThrow().answers.get("POST " + PATH + " k"));
    }

    @Test
    void withoutAKeyEveryRequestRunsAndABadKeyIs400() {
        send(AGENT, null, BODY, command());
        send(AGENT, null, BODY, command());
        assertEquals(2, runs.get());
        assertEquals(400, refused(() -> send(AGENT, "has space", BODY, command())).status());
        assertEquals(400, refused(() -> send(AGENT, "x".repeat(201), BODY, command())).status());
        assertEquals(2, runs.get());
    }

    @Test
    void onACallWithNoRecordTheCommandAnswers() {
        APIGatewayV2HTTPResponse answer = idempotency.once(request("k", BODY), AGENT, "WT0000000000000000000000000000dead",
                () -> ApiResponses.error(CallControlException.notFound("no such call")));
        assertEquals(404, answer.getStatusCode());
    }

    @Test
    void expiryOnlyEverAppliesToMarkers() {
        CallRecord.StoredAnswer answer = new CallRecord.StoredAnswer();
        answer.status = 201;
        answer.startedAt = "2020-01-01T00:00:00Z";
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(false, Idempotency.expired(answer, now));
        answer.status = 0;
        assertEquals(true, Idempotency.expired(answer, now));
        answer.startedAt = "garbage";
        assertEquals(true, Idempotency.expired(answer, now));
        answer.startedAt = now.minusSeconds(29).toString();
        assertEquals(false, Idempotency.expired(answer, now));
    }
}
