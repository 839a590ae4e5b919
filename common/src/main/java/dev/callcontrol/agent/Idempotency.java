package dev.callcontrol.agent;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.CallRecord.StoredAnswer;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.JsonValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} on agent commands, as Stripe and Amazon Connect do it:
 * <ul>
 *   <li>A key is the caller's own: it is kept under the worker who sent it, the route (method and
 *   path, so the call) and the key. Another worker's request with the same key is a request of its
 *   own, never answered from someone else's.</li>
 *   <li>It is checked after authorisation: on a call, only a worker on that call (its agent, a
 *   transfer's agents, any worker with a leg on it) gets as far as the key; anyone else is refused
 *   before the record is touched.</li>
 *   <li>The first request with a key runs; a repeat with the same body gets the first answer again
 *   and changes nothing. The same key with another body is 422 {@code idempotency_key_reused}.</li>
 *   <li>Only successes (2xx) are kept. A refusal (4xx) or failure (5xx) frees the key, so that a
 *   later request with it runs.</li>
 *   <li>A repeat while the first still runs is 409 {@code request_in_progress}; that marker expires
 *   {@link #IN_PROGRESS} after the first began (longer than any invocation may run), so a key held
 *   by a crashed invocation can be used again after it.</li>
 *   <li>A call's record keeps each caller's newest {@link #KEPT_PER_CALLER} keys: one caller's keys
 *   never push out another's.</li>
 * </ul>
 */
public final class Idempotency {
    private static final Logger LOG = LoggerFactory.getLogger(Idempotency.class);
    public static final String HEADER = "Idempotency-Key";
    /** Keys kept per caller in a call's record, newest last; that caller's older ones are dropped. */
    static final int KEPT_PER_CALLER = 20;
    /**
     * How long an in-progress marker holds its key: longer than the 15 s an agent function may run
     * (template.yaml's {@code Timeout}), so it never expires under a request still running.
     */
    public static final Duration IN_PROGRESS = Duration.ofSeconds(30);
    private static final Pattern KEY = Pattern.compile("^[\\x21-\\x7e]{1,200}$");

    private final CallRecords records;
    private final Supplier<? extends IdempotencyKeys> callerKeys;
    private final Clock clock;

    /** For commands on a call: keys kept in the call's record. */
    public Idempotency(CallRecords records, Clock clock) {
        this(records, null, clock);
    }

    /** For requests with no call yet ({@code POST /calls}): keys kept by {@code keys}, built on first use. */
    public Idempotency(Supplier<? extends IdempotencyKeys> keys, Clock clock) {
        this(null, keys, clock);
    }

    private Idempotency(CallRecords records, Supplier<? extends IdempotencyKeys> callerKeys, Clock clock) {
        this.records = records;
        this.callerKeys = callerKeys;
        this.clock = clock;
    }

    /**
     * Runs a command on the call of {@code taskSid} once per key. Without a key it just runs; with
     * one, the caller must be on the call (403 otherwise), and the key is kept in its record. A call
     * with no record runs the command, which answers 404.
     */
    public APIGatewayV2HTTPResponse once(ApiRequest request, Principal principal, String taskSid, Supplier<APIGatewayV2HTTPResponse> work) {
        String key = key(request);
        if (key == null) {
            return work.get();
        }
        CallRecord call = records.find(taskSid).orElse(null);
        if (call == null) {
            return work.get();
        }
        if (!onTheCall(call, principal)) {
            throw CallControlException.forbidden("only the agents on this call may send it commands");
        }
        return run(new InCallRecord(records, call), id(request, principal, key), principal, request, work);
    }

    /** Runs a request that has no call yet once per key, the keys kept by the caller. */
    public APIGatewayV2HTTPResponse once(ApiRequest request, Principal principal, Supplier<APIGatewayV2HTTPResponse> work) {
        String key = key(request);
        if (key == null) {
            return work.get();
        }
        return run(callerKeys.get(), id(request, principal, key), principal, request, work);
    }

    private APIGatewayV2HTTPResponse run(IdempotencyKeys keys, String id, Principal principal, ApiRequest request,
                                         Supplier<APIGatewayV2HTTPResponse> work) {
        Instant now = clock.instant();
        StoredAnswer marker = new StoredAnswer();
        marker.by = principal.workerSid();
        marker.fingerprint = fingerprint(request);
        marker.startedAt = now.toString();
        StoredAnswer earlier = keys.claim(id, marker, kept -> expired(kept, now));
        if (earlier != null) {
            if (earlier.fingerprint != null && !earlier.fingerprint.equals(marker.fingerprint)) {
                throw new HttpError(422, "idempotency_key_reused",
                        "this " + HEADER + " was sent before with another body; a new request needs a new key");
            }
            if (earlier.status == 0) {
                throw CallControlException.conflict("request_in_progress", "a request with this " + HEADER + " is still running");
            }
            return ApiResponses.json(earlier.status, earlier.body);
        }
        APIGatewayV2HTTPResponse answer;
        try {
            answer = work.get();
        } catch (RuntimeException e) {
            release(keys, id, marker);
            throw e;
        }
        if (answer.getStatusCode() < 200 || answer.getStatusCode() >= 300) {
            release(keys, id, marker);
            return answer;
        }
        StoredAnswer kept = new StoredAnswer();
        kept.status = answer.getStatusCode();
        kept.body = answer.getBody();
        kept.by = marker.by;
        kept.fingerprint = marker.fingerprint;
        kept.startedAt = marker.startedAt;
        keys.keep(id, marker, kept);
        return answer;
    }

    /** Frees the key after a refusal or failure; if even that fails, the marker's expiry frees it. */
    private static void release(IdempotencyKeys keys, String id, StoredAnswer marker) {
        try {
            keys.release(id, marker);
        } catch (RuntimeException e) {
            LOG.warn("Could not free an {} after its request failed; it is free again {} after it began", HEADER, IN_PROGRESS, e);
        }
    }

    /** The key the request carries, or null; 400 when it is not 1 to 200 visible ASCII characters. */
    private static String key(ApiRequest request) {
        String key = request.header(HEADER);
        if (key != null && !KEY.matcher(key).matches()) {
            throw HttpError.badRequest(HEADER + " must be 1 to 200 visible ASCII characters");
        }
        return key;
    }

    /** What a key is kept under: the caller, the route and the key. */
    static String id(ApiRequest request, Principal principal, String key) {
        return principal.workerSid() + " " + request.method() + " " + request.path() + " " + key;
    }

    /** An in-progress marker whose request began {@link #IN_PROGRESS} ago or more (or says no time); an answer never expires here. */
    static boolean expired(StoredAnswer kept, Instant now) {
        if (kept.status != 0) {
            return false;
        }
        try {
            return kept.startedAt == null || !Instant.parse(kept.startedAt).plus(IN_PROGRESS).isAfter(now);
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    /** Whether the principal is on the call: its agent, an agent of its warm transfer, or a worker with a leg on it. */
    static boolean onTheCall(CallRecord call, Principal principal) {
        String worker = principal.workerSid();
        if (worker.equals(call.workerSid)) {
            return true;
        }
        if (call.warm != null && (worker.equals(call.warm.fromWorkerSid) || worker.equals(call.warm.targetWorkerSid))) {
            return true;
        }
        return call.legs != null && call.legs.values().stream().anyMatch(leg -> worker.equals(leg.workerSid));
    }

    /** A hash of the body as JSON, its object members in name order: the same request spelt with other spacing or order matches. */
    static String fingerprint(ApiRequest request) {
        String canonical = request.body().isEmpty() ? "" : JsonValues.write(sorted(request.jsonBody()));
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static Object sorted(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((name, member) -> out.put(String.valueOf(name), sorted(member)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(item -> out.add(sorted(item)));
            return out;
        }
        return value;
    }

    /** Keys kept in a call's record ({@link CallRecord#answers}), each caller's newest {@link #KEPT_PER_CALLER}. */
    static final class InCallRecord implements IdempotencyKeys {
        private final CallRecords records;
        private final CallRecord call;

        InCallRecord(CallRecords records, CallRecord call) {
            this.records = records;
            this.call = call;
        }

        @Override
        public StoredAnswer claim(String id, StoredAnswer marker, Predicate<StoredAnswer> replaceable) {
            StoredAnswer[] earlier = new StoredAnswer[1];
            records.update(call.taskSid, () -> call, record -> {
                if (record.answers == null) {
                    record.answers = new LinkedHashMap<>();
                }
                StoredAnswer kept = record.answers.get(id);
                earlier[0] = kept != null && !replaceable.test(kept) ? kept : null;
                if (earlier[0] != null) {
                    return false;
                }
                record.answers.remove(id);
                record.answers.put(id, marker);
                evict(record.answers, marker.by);
                return true;
            });
            return earlier[0];
        }

        /** Drops the caller's oldest keys beyond {@link #KEPT_PER_CALLER}, and keys kept before keys had callers (no one's). */
        private static void evict(Map<String, StoredAnswer> answers, String by) {
            long theirs = answers.values().stream().filter(a -> by.equals(a.by)).count();
            for (Iterator<StoredAnswer> oldest = answers.values().iterator(); oldest.hasNext(); ) {
                StoredAnswer answer = oldest.next();
                if (answer.by == null) {
                    oldest.remove();
                } else if (theirs > KEPT_PER_CALLER && by.equals(answer.by)) {
                    oldest.remove();
                    theirs--;
                }
            }
        }

        @Override
        public void keep(String id, StoredAnswer marker, StoredAnswer answer) {
            records.update(call.taskSid, () -> new CallRecord(call.taskSid), record -> {
                if (record.answers == null || !IdempotencyKeys.sameRun(record.answers.get(id), marker)) {
                    return false;
                }
                record.answers.put(id, answer);
                return true;
            });
        }

        @Override
        public void release(String id, StoredAnswer marker) {
            records.update(call.taskSid, () -> new CallRecord(call.taskSid),
                    record -> record.answers != null && IdempotencyKeys.sameRun(record.answers.get(id), marker) && record.answers.remove(id) != null);
        }
    }
}
