package dev.callcontrol.calls;

import java.time.Clock;

/**
 * What every flow of call control works with: the call records, Twilio, the deployment's settings,
 * the hold-music URL Twilio is sent to, and the clock the warm-transfer history is stamped with.
 */
record Ports(CallRecords records, Telephony telephony, CallControl.Settings settings, String holdUrl, Clock clock) {

    /** A route of the product's own, as Twilio reaches it. */
    String url(String path) {
        return settings.publicBaseUrl() + path;
    }

    /** Where Twilio reports the status of a transfer's external leg. */
    String transferLegEvents(String callTaskSid) {
        return url(CallControl.CALL_EVENTS_PATH) + "?call=" + callTaskSid + "&leg=transfer";
    }
}
