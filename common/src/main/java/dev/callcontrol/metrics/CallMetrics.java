package dev.callcontrol.metrics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The metrics port: what the product counts and times, in its own words. The domain and the
 * adapters call the named methods; an implementation only has to take {@link Metric}s
 * ({@link EmfMetrics} writes them as CloudWatch embedded metric format, tests keep them in a list).
 * Dimensions are low-cardinality by construction: a kind of transfer, a kind of target, a kind of
 * repair, a Twilio error code; never a call, task or worker SID. docs/metrics.md lists every metric.
 */
@FunctionalInterface
public interface CallMetrics {
    /** Counts nothing: for tests and tools that do not look at metrics. */
    CallMetrics NONE = metric -> { };

    String HOLDS = "Holds";
    String HOLD_SECONDS = "HoldSeconds";
    String TRANSFER_ANSWER_SECONDS = "TransferAnswerSeconds";
    String CONSULT_SECONDS = "ConsultSeconds";
    String RECOVERIES = "Recoveries";
    String SIGNATURES_REFUSED = "SignaturesRefused";
    String TWILIO_ERRORS = "TwilioErrors";

    String TRANSFER_KIND = "TransferKind";
    String TARGET_KIND = "TargetKind";
    String REPAIR = "Repair";
    String ERROR_CODE = "ErrorCode";

    /** The units the product uses (CloudWatch's names). */
    enum Unit {
        COUNT, SECONDS
    }

    /** One data point: a name, a value, its unit, and the dimensions it is counted under (besides the service). */
    record Metric(String name, double value, Unit unit, Map<String, String> dimensions) {
        public Metric {
            dimensions = Map.copyOf(dimensions);
        }
    }

    /** Cold or warm. */
    enum TransferKind {
        COLD, WARM;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What became of a transfer, each its own count. */
    enum Outcome {
        REQUESTED("TransfersRequested"), COMPLETED("TransfersCompleted"), FAILED("TransfersFailed"), CANCELED("TransfersCanceled");

        private final String metric;

        Outcome(String metric) {
            this.metric = metric;
        }

        public String metric() {
            return metric;
        }
    }

    void emit(Metric metric);

    /** The customer was put on hold (by the agent, a transfer, or anything else Twilio reported). */
    default void customerHeld() {
        emit(new Metric(HOLDS, 1, Unit.COUNT, Map.of()));
    }

    /** A hold of the customer ended after {@code held}. */
    default void holdEnded(Duration held) {
        emit(new Metric(HOLD_SECONDS, seconds(held), Unit.SECONDS, Map.of()));
    }

    /**
     * A transfer was requested, completed, failed or canceled. {@code target} is {@code worker},
     * {@code queue} or {@code number}, as a transfer's record names it.
     */
    default void transfer(TransferKind kind, String target, Outcome outcome) {
        emit(new Metric(outcome.metric(), 1, Unit.COUNT, transferDimensions(kind, target)));
    }

    /** The transfer's target joined the call {@code after} the transfer began. */
    default void targetAnswered(TransferKind kind, String target, Duration after) {
        emit(new Metric(TRANSFER_ANSWER_SECONDS, seconds(after), Unit.SECONDS, transferDimensions(kind, target)));
    }

    /** A warm transfer's consultation (the agents talking, the customer held) lasted {@code consult}. */
    default void consultEnded(String target, Duration consult) {
        emit(new Metric(CONSULT_SECONDS, seconds(consult), Unit.SECONDS, Map.of(TARGET_KIND, targetKind(target))));
    }

    /** The reconciler or its watchdog repaired a call; {@code repair} names the kind (an audit event, a lost event's type). */
    default void recovered(String repair) {
        emit(new Metric(RECOVERIES, 1, Unit.COUNT, Map.of(REPAIR, repair)));
    }

    /** A webhook was refused for its missing or wrong {@code X-Twilio-Signature}. */
    default void signatureRefused() {
        signaturesRefused(1);
    }

    /** {@code count} webhooks were refused for their signatures (refusals counted together under a flood). */
    default void signaturesRefused(long count) {
        emit(new Metric(SIGNATURES_REFUSED, count, Unit.COUNT, Map.of()));
    }

    /** Twilio answered a request with an error: its error code, {@code http_<status>} without one, or {@code no_answer}. */
    default void twilioError(String code) {
        emit(new Metric(TWILIO_ERRORS, 1, Unit.COUNT, Map.of(ERROR_CODE, code)));
    }

    private static Map<String, String> transferDimensions(TransferKind kind, String target) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        dimensions.put(TRANSFER_KIND, kind.label());
        dimensions.put(TARGET_KIND, targetKind(target));
        return dimensions;
    }

    /** {@code worker}, {@code queue} or {@code number}; anything else (a record from before these kinds) is {@code other}. */
    private static String targetKind(String target) {
        return target != null && java.util.Set.of("worker", "queue", "number").contains(target) ? target : "other";
    }

    private static double seconds(Duration duration) {
        return Math.max(0, duration.toMillis()) / 1000.0;
    }
}
