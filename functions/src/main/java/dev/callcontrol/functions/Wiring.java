package dev.callcontrol.functions;

import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.config.Lazy;
import dev.callcontrol.metrics.EmfMetrics;
import dev.callcontrol.snapstart.Priming;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.twilio.TwilioClients;
import dev.callcontrol.twilio.TwilioTelephony;

import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The adapters a function needs, built once per container (and so before a SnapStart snapshot). */
final class Wiring {
    private Wiring() {
    }

    static CallStore callStore(Config config) {
        CallStore store = newCallStore(config);
        Priming.register("call records", store::prime);
        return store;
    }

    private static CallStore newCallStore(Config config) {
        return new CallStore(DynamoDbClients.create(config), config.tableName(), config.clock());
    }

    /**
     * The Twilio adapter, whose REST client is built by the first request that needs one: many
     * paths never talk to Twilio (a refused agent request, a call read from its record, a webhook
     * with nothing to do), and building the client is about a fifth of a cold start. Its settings
     * are read now, so a misconfigured function still fails at its start. Under SnapStart the
     * priming below builds it before the snapshot.
     */
    static Telephony telephony(Config config) {
        TwilioClients.Settings twilio = TwilioClients.Settings.of(config);
        TwilioTelephony telephony = TwilioTelephony.lazily(() -> TwilioClients.restClient(twilio), config.workspaceSid(), config.workflowSid(),
                        EmfMetrics.of(config))
                .limitingExternalLegs(config.externalCallTimeLimitSeconds());
        Priming.register("Twilio requests", telephony::prime);
        return telephony;
    }

    static CallControl callControl(Config config) {
        return callControl(config, callStore(config), telephony(config));
    }

    /**
     * For the functions whose path reads no call record (an outbound call, the agent's whisper):
     * the DynamoDB client is built only if something ever asks for a record, so their cold start
     * does not pay for it. Under SnapStart it is built (and primed) before the snapshot instead,
     * where it costs the invocation nothing.
     */
    static CallControl callControlWithoutRecords(Config config) {
        return callControl(config, lazyCallStore(config), telephony(config));
    }

    /** The call store, its DynamoDB client built on first use (or by SnapStart's priming). */
    static Lazily<CallStore> lazyCallStore(Config config) {
        Lazily<CallStore> records = lazily(() -> newCallStore(config));
        Priming.register("call records (the DynamoDB client built before the snapshot)", () -> records.records().prime());
        return records;
    }

    static <R extends CallRecords> Lazily<R> lazily(Supplier<R> build) {
        return new Lazily<>(build);
    }

    /** Call records built on first use, once. */
    static final class Lazily<R extends CallRecords> implements CallRecords {
        private final Lazy<R> records;

        private Lazily(Supplier<R> build) {
            this.records = Lazy.of(build);
        }

        R records() {
            return records.get();
        }

        @Override
        public Optional<CallRecord> find(String taskSid) {
            return records().find(taskSid);
        }

        @Override
        public Optional<CallRecord> update(String taskSid, Supplier<CallRecord> create, Predicate<CallRecord> change) {
            return records().update(taskSid, create, change);
        }

        @Override
        public void alias(String taskSid, String callTaskSid) {
            records().alias(taskSid, callTaskSid);
        }

        @Override
        public long countDial(String workerSid, int perMinute) {
            return records().countDial(workerSid, perMinute);
        }
    }

    static CallControl callControl(Config config, CallRecords store, Telephony telephony) {
        return new CallControl(store, telephony,
                new CallControl.Settings(config.publicBaseUrl(), config.callerId(), config.agentRingTimeoutSeconds(),
                        config.dialPrefixes(), config.transferTimeoutSeconds(), dev.callcontrol.config.Destinations.of(config),
                        config.agentDialsPerMinute(),
                        new CallControl.RecordingPolicy(config.pauseRecordingOnHold(), config.recordingPauseBehavior())), config.clock(), EmfMetrics.of(config));
    }
}
