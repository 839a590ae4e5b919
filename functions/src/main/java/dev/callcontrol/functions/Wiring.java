package dev.callcontrol.functions;

import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.twilio.TwilioClients;
import dev.callcontrol.twilio.TwilioTelephony;

import java.time.Clock;

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

    static CallControl callControl(Config config, CallStore store, Telephony telephony) {
        return new CallControl(store, telephony,
                new CallControl.Settings(config.publicBaseUrl(), config.callerId(), config.agentRingTimeoutSeconds(),
                        config.dialPrefixes()));
    }
}
