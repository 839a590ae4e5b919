package dev.callcontrol.calls;

import dev.callcontrol.twilio.WebhookUrls;

import java.time.Clock;

/**
 * What every flow of call control works with: the call records, Twilio, the deployment's settings,
 * the hold-music URL Twilio is sent to, the clock the warm-transfer history is stamped with, and
 * what counts the call's events (metrics).
 */
record Ports(CallRecords records, Telephony telephony, CallControl.Settings settings, String holdUrl, Clock clock,
             dev.callcontrol.metrics.CallMetrics metrics) {

    /**
     * A route of the product's own, with its query, as Twilio reaches it for a status callback or a
     * TwiML fetch: with the connection overrides that ask Twilio to retry ({@link WebhookUrls}).
     */
    String callbackUrl(String pathAndQuery) {
        return WebhookUrls.withRetries(settings.publicBaseUrl() + pathAndQuery);
    }

    /** Where Twilio reports the status of a transfer's external leg. */
    String transferLegEvents(String callTaskSid) {
        return callbackUrl(CallControl.CALL_EVENTS_PATH + "?call=" + callTaskSid + "&leg=transfer");
    }
}
