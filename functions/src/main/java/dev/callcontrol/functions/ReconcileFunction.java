package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.callcontrol.calls.Reconciler;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.metrics.EmfMetrics;
import dev.callcontrol.store.CallStore;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The reconciler, on its schedule ({@code RECONCILE_SCHEDULE}, an EventBridge rule): every live
 * call compared with Twilio and repaired where a lost webhook left its record wrong
 * ({@link Reconciler}), and every call held past {@code MAX_HOLD_SECONDS} or waiting for a transfer past
 * {@code TRANSFER_TIMEOUT_SECONDS} brought back. It answers what the run did, which is what an invocation by hand shows.
 */
public final class ReconcileFunction implements RequestHandler<ScheduledEvent, Map<String, Object>> {
    private final Reconciler reconciler;
    private final EmfMetrics metrics;

    public ReconcileFunction() {
        this(Config.fromEnvironment());
    }

    public ReconcileFunction(Config config) {
        this(config, Wiring.callStore(config), Wiring.telephony(config));
    }

    /**
     * As Lambda builds it, but on {@code clock} ({@link Config#withClock}): a benchmark gives it the
     * instants of successive scheduled runs (each one period after the last), which decide the
     * calls each run visits, without waiting a period between runs.
     */
    public ReconcileFunction(Config config, Clock clock) {
        this(config.withClock(clock));
    }

    ReconcileFunction(Config config, CallStore store, Telephony telephony) {
        Reconciler.Settings settings = new Reconciler.Settings(Duration.ofSeconds(config.reconcileGraceSeconds()),
                config.reconcileMaxRequests(), config.reconcilePeriod(), Duration.ofSeconds(config.maxHoldSeconds()),
                Duration.ofSeconds(config.transferTimeoutSeconds()), Duration.ofSeconds(config.wrapUpSeconds()));
        this.metrics = EmfMetrics.of(config);
        this.reconciler = new Reconciler(store, store, telephony, Wiring.callControl(config, store, telephony), settings, config.clock(), metrics);
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        return CallLog.invocation(context, () -> metrics.around(() -> Deadline.within(context, () -> reconciler.run().view())));
    }
}
