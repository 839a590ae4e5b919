package dev.callcontrol.twilio;

import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import dev.callcontrol.metrics.CallMetrics;
import com.twilio.exception.TwilioException;
import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.http.Backoff;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.OutOfTime;
import dev.callcontrol.logging.Redact;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;

/**
 * What happens when a Twilio REST request fails, decided in one place.
 * <ul>
 *   <li>A 429 (or Twilio code 20429) was never processed: any request, a create included, is sent
 *   again after an exponential backoff with full jitter, while the invocation has time for it.</li>
 *   <li>No answer (connection refused, reset, timed out) or a 5xx: a fetch, update or delete is
 *   sent again the same way; they are idempotent, so repeating one that took effect is harmless.</li>
 *   <li>A create (call, participant, task) that got no answer or a 5xx may have taken effect, so it
 *   is never simply repeated: its lookup (by label, attributes or list) finds out first, and only
 *   when nothing was made is it sent again.</li>
 *   <li>Every other failure is a typed error the caller sees: Twilio's refusal a 409
 *   {@code twilio_refused}, rejected credentials a 502 {@code twilio_credentials}, a 5xx a 502
 *   {@code twilio_unavailable}, rate limiting that outlasts the retries a 503
 *   {@code twilio_rate_limited}, silence a 504 {@code twilio_unreachable}, and an attempt the
 *   invocation had no time left to send a 504 {@code out_of_time} ({@link UrlConnectionTwilioClient}).</li>
 * </ul>
 * A retry begins only while the invocation can spare {@link #RETRY_MINIMUM_MILLIS} after the wait
 * ({@link Deadline#spareMillis()}: never the reserve kept for undoing), and a request that fails for
 * good releases that reserve to what the caller does next ({@link Deadline#releaseReserve()}).
 * Requests that treat a 404 as done (removing a participant who has left) handle it themselves.
 */
public final class FaultPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(FaultPolicy.class);

    /** What a request does, which decides whether it may be sent twice. */
    public enum Kind {
        READ, UPDATE, DELETE, CREATE
    }

    /** The first backoff's upper bound; each later one doubles, up to {@link #CAP_MILLIS}. */
    static final long BASE_MILLIS = 100;
    static final long CAP_MILLIS = 2_000;
    /** Attempts of one request, the first included. */
    static final int MAX_ATTEMPTS = 5;
    /** No retry begins unless the invocation can spare this much for it after the wait (reserve excluded). */
    static final long RETRY_MINIMUM_MILLIS = 1_000;

    private final Backoff backoff;
    private final CallMetrics metrics;

    /** @param spareMillis what the invocation's requests may still use ({@link Deadline#spareMillis()}) */
    FaultPolicy(Backoff.Sleeper sleeper, LongUnaryOperator jitter, LongSupplier spareMillis) {
        this(new Backoff(BASE_MILLIS, CAP_MILLIS, sleeper, jitter, spareMillis), CallMetrics.NONE);
    }

    private FaultPolicy(Backoff backoff, CallMetrics metrics) {
        this.backoff = backoff;
        this.metrics = metrics;
    }

    /** The same policy, counting every error Twilio answers ({@code TwilioErrors} by {@code ErrorCode}), retried or not. */
    public FaultPolicy reportingTo(CallMetrics errors) {
        return new FaultPolicy(backoff, errors);
    }

    /**
     * A failure's error code as the metrics name it: Twilio's own code (20429, 20404, 21220, ...), else
     * {@code http_<status>}, else {@code no_answer} (no connection, a timeout). Bounded by Twilio's list of codes.
     */
    static String errorCode(TwilioException failure) {
        if (failure instanceof ApiException api) {
            if (api.getCode() != null) {
                return String.valueOf(api.getCode());
            }
            if (api.getStatusCode() != null) {
                return "http_" + api.getStatusCode();
            }
        }
        return "no_answer";
    }

    /** Real sleeps, random jitter, and the running invocation's deadline. */
    public static FaultPolicy standard() {
        return new FaultPolicy(Thread::sleep, bound -> ThreadLocalRandom.current().nextLong(bound + 1), Deadline::spareMillis);
    }

    /** A fetch, update or delete. */
    public <T> T run(String action, Kind kind, Supplier<T> request) {
        if (kind == Kind.CREATE) {
            throw new IllegalArgumentException("a create needs a lookup: use create()");
        }
        return attempt(action, kind, request, null);
    }

    /**
     * A create, with the lookup that tells whether an unanswered attempt took effect: it returns
     * what the first attempt made, or empty when it made nothing.
     */
    public <T> T create(String action, Supplier<T> request, Supplier<Optional<T>> lookup) {
        return attempt(action, Kind.CREATE, request, lookup);
    }

    private enum Fault {
        RATE_LIMITED, NO_ANSWER, SERVER, CREDENTIALS, REFUSED;

        static Fault of(TwilioException e) {
            if (e instanceof ApiConnectionException) {
                return NO_ANSWER;
            }
            ApiException api = (ApiException) e;
            Integer status = api.getStatusCode();
            if ((status != null && status == 429) || (api.getCode() != null && api.getCode() == 20429)) {
                return RATE_LIMITED;
            }
            if (status == null) {
                return api.getCause() instanceof IOException ? NO_ANSWER : SERVER;
            }
            if (status == 401 || status == 403) {
                return CREDENTIALS;
            }
            return status >= 500 ? SERVER : REFUSED;
        }
    }

    private <T> T attempt(String action, Kind kind, Supplier<T> request, Supplier<Optional<T>> lookup) {
        try {
            return attempts(action, kind, request, lookup);
        } catch (RuntimeException e) {
            // Failed for good: what the caller does next (undoing, answering) may use the reserve.
            Deadline.releaseReserve();
            throw e;
        }
    }

    private <T> T attempts(String action, Kind kind, Supplier<T> request, Supplier<Optional<T>> lookup) {
        for (int attempt = 1; ; attempt++) {
            TwilioException failure;
            try {
                return request.get();
            } catch (ApiConnectionException | ApiException e) {
                failure = e;
            } catch (OutOfTime e) {
                LOG.warn("No time left for {} (attempt {})", action, attempt);
                throw e;
            }
            Fault fault = Fault.of(failure);
            metrics.twilioError(errorCode(failure));
            boolean mayHaveHappened = kind == Kind.CREATE && (fault == Fault.NO_ANSWER || fault == Fault.SERVER);
            if (mayHaveHappened) {
                Optional<T> made = attempt("finding out whether " + action + " took effect", Kind.READ, lookup, null);
                if (made.isPresent()) {
                    LOG.warn("Twilio failed {} ({}) but it took effect; not sent again", action, fault);
                    return made.get();
                }
            }
            boolean transient5xxOrSilence = fault == Fault.NO_ANSWER || fault == Fault.SERVER;
            boolean retryable = fault == Fault.RATE_LIMITED || (transient5xxOrSilence && kind != Kind.CREATE) || mayHaveHappened;
            if (retryable && backoff(attempt)) {
                LOG.warn("Twilio failed {} ({}, attempt {}); trying again", action, fault, attempt);
                continue;
            }
            throw typed(action, fault, failure);
        }
    }

    /** Waits before attempt {@code attempt + 1}; false when there are no attempts or time left for it. */
    private boolean backoff(int attempt) {
        return attempt < MAX_ATTEMPTS && backoff.pause(attempt, RETRY_MINIMUM_MILLIS);
    }

    private static CallControlException typed(String action, Fault fault, TwilioException failure) {
        String detail = failure instanceof ApiException api && api.getCode() != null ? " (" + api.getCode() + ")" : "";
        return switch (fault) {
            case RATE_LIMITED -> new CallControlException(503, "twilio_rate_limited", "Twilio is limiting requests; " + action + " did not happen, try again shortly");
            case NO_ANSWER -> new CallControlException(504, "twilio_unreachable", "Twilio did not answer while " + action);
            case SERVER -> CallControlException.upstream("Twilio failed " + action + detail);
            case CREDENTIALS -> new CallControlException(502, "twilio_credentials", "Twilio rejected the product's credentials while " + action);
            case REFUSED -> CallControlException.conflict("twilio_refused", "Twilio refused " + action + detail + ": " + Redact.text(failure.getMessage()));
        };
    }
}
