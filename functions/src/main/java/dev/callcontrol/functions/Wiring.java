package dev.callcontrol.functions;

import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.twilio.TwilioClients;
import dev.callcontrol.twilio.TwilioTelephony;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The adapters a function needs, built once per container (and so before a SnapStart snapshot). */
final class Wiring {
    private Wiring() {
    }

    static CallStore callStore(Config config) {
        return new CallStore(DynamoDbClients.create(config), config.tableName(), Clock.systemUTC());
    }

    static Telephony telephony(Config config) {
        return new TwilioTelephony(TwilioClients.restClient(config), config.workspaceSid(), config.workflowSid());
    }

    static CallControl callControl(Config config) {
        return callControl(config, callStore(config), telephony(config));
    }

    /**
     * For the functions whose path reads no call record (an outbound call, the agent's whisper):
     * the DynamoDB client is built only if something ever asks for a record, so their cold start
     * does not pay for it.
     */
    static CallControl callControlWithoutRecords(Config config) {
        return callControl(config, lazily(() -> callStore(config)), telephony(config));
    }

    static CallRecords lazily(Supplier<? extends CallRecords> build) {
        return new CallRecords() {
            private volatile CallRecords built;

            private CallRecords records() {
                CallRecords current = built;
                if (current == null) {
                    synchronized (this) {
                        if (built == null) {
                            built = build.get();
                        }
                        current = built;
                    }
                }
                return current;
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
        };
    }

    static CallControl callControl(Config config, CallRecords store, Telephony telephony) {
        return new CallControl(store, telephony,
                new CallControl.Settings(config.publicBaseUrl(), config.callerId(), config.agentRingTimeoutSeconds(),
                        config.dialPrefixes()));
    }
}
