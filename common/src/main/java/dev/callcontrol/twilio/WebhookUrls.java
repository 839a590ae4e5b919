package dev.callcontrol.twilio;

import java.util.List;

/**
 * The retries the product asks Twilio for, on every callback URL it hands out. By default Twilio
 * retries a webhook once and only when it could not connect: an answer of 5xx (a Lambda throttled
 * or failed, API Gateway unavailable) is not delivered again, and the event is lost. Twilio's
 * connection overrides, in the URL's fragment, ask for more
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides: {@code ct}, {@code rt},
 * {@code tt} in milliseconds, {@code rc} retries, {@code rp} what is retried). The fragment is
 * never sent on the wire; whether Twilio signs the URL with it is not documented, so
 * {@link SignatureVerifier} accepts the URL with and without each of {@link #FRAGMENTS}.
 *
 * <p>Every handler is safe to receive the same webhook twice (state changes are conditional
 * writes, applied by {@code SequenceNumber} or state-machine transition; TwiML answers are rebuilt
 * from the record), so retrying a read timeout, after which the product may have acted, is safe.
 */
public final class WebhookUrls {
    /**
     * Voice status callbacks (call progress, conference events), Voice TwiML fetches (a leg's
     * {@code Url}, {@code HoldUrl}, the {@code call} instruction's {@code url}) and the workspace's
     * event callback: connect within 2 s and answer within 6 s, or be tried again, up to twice, on
     * a failed connection, a read timeout or a 5xx, all within Twilio's 15 s maximum. Not 4xx: the
     * product answers 4xx only to a request it will never accept.
     */
    public static final String RETRIES = "ct=2000&rt=6000&tt=15000&rc=2&rp=ct,rt,5xx";

    /**
     * The workflow's assignment callback: retried on a failed connection or a 5xx only, leaving the
     * timeouts to TaskRouter, which wants the answer within five seconds
     * (https://www.twilio.com/docs/taskrouter/handle-assignment-callbacks). Connection overrides are
     * documented for Voice; TaskRouter may ignore them, which is why the workflow also has a
     * fallback URL ({@link #assignmentFallback}).
     */
    public static final String ASSIGNMENT_RETRIES = "rc=2&rp=ct,5xx";

    /**
     * Every fragment the product puts, or has put, on a URL it hands to Twilio: a URL handed out
     * before a change (a conference still running, a workflow not yet re-applied) keeps its old
     * fragment, so a fragment that is replaced stays listed here.
     */
    public static final List<String> FRAGMENTS = List.of(RETRIES, ASSIGNMENT_RETRIES);

    public static final String ASSIGNMENT_PATH = "/twilio/assignment";
    public static final String TASKROUTER_EVENTS_PATH = "/twilio/taskrouter-events";

    private WebhookUrls() {
    }

    /** A Voice callback URL (status callback or TwiML) with the product's connection overrides. */
    public static String withRetries(String url) {
        return with(url, RETRIES);
    }

    /** The workflow's {@code AssignmentCallbackUrl}. */
    public static String assignmentCallback(String publicBaseUrl) {
        return with(publicBaseUrl + ASSIGNMENT_PATH, ASSIGNMENT_RETRIES);
    }

    /**
     * The workflow's {@code FallbackAssignmentCallbackUrl}: the same function, which TaskRouter
     * calls once when the assignment callback fails, whether or not it honours the overrides.
     * {@code attempt=fallback} only tells the logs which of the two it was.
     */
    public static String assignmentFallback(String publicBaseUrl) {
        return with(publicBaseUrl + ASSIGNMENT_PATH + "?attempt=fallback", ASSIGNMENT_RETRIES);
    }

    /** The workspace's {@code EventCallbackUrl}. */
    public static String eventCallback(String publicBaseUrl) {
        return with(publicBaseUrl + TASKROUTER_EVENTS_PATH, RETRIES);
    }

    /** The URL without its fragment: what goes on the wire. */
    public static String withoutFragment(String url) {
        int hash = url.indexOf('#');
        return hash < 0 ? url : url.substring(0, hash);
    }

    private static String with(String url, String fragment) {
        if (url.indexOf('#') >= 0) {
            throw new IllegalArgumentException("the URL already has a fragment: " + url);
        }
        return url + "#" + fragment;
    }
}
