package dev.callcontrol.twilio;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.config.Config;
import dev.callcontrol.metrics.EmfMetrics;
import dev.callcontrol.http.ApiFunction;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of every {@code /twilio/*} function: parse the API Gateway event, refuse anything whose
 * Twilio signature does not check out with the auth token or the secondary auth token
 * ({@link TwilioSecretStore}) (403, nothing executed), then hand the request to the operation. Failures become clear 4xx answers; no stack trace ever leaves the function.
 */
public abstract class TwilioWebhook extends ApiFunction {
    private static final Logger LOG = LoggerFactory.getLogger(TwilioWebhook.class);

    private final TwilioSecretStore secrets;
    private final SignatureVerifier signatures;
    private final EmfMetrics metrics;

    protected TwilioWebhook(Config config) {
        this.metrics = EmfMetrics.of(config);
        this.secrets = TwilioSecretStore.of(config);
        this.signatures = new SignatureVerifier(secrets::signingTokens, config.publicBaseUrl(), WebhookUrls.FRAGMENTS);
    }

    @Override
    public final APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return CallLog.invocation(context, () -> metrics.around(() -> Deadline.within(context, () -> serve(event))));
    }

    /** An HMAC-SHA1 in base64, the only signature {@link SignatureVerifier} can match: 27 characters and one {@code =}. */
    private static final java.util.regex.Pattern SIGNATURE_SHAPE = java.util.regex.Pattern.compile("^[A-Za-z0-9+/]{27}=$");
    /** The time of the last logged unsigned refusal, and how many were not logged since. */
    private static final java.util.concurrent.atomic.AtomicLong LAST_UNSIGNED_LOG = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong UNSIGNED_UNLOGGED = new java.util.concurrent.atomic.AtomicLong();
    private static final HttpError UNSIGNED = new HttpError(403, "invalid_signature", "the Twilio signature is missing or does not match");

    /**
     * A request with no signature that could match, and a body certainly within the size limit,
     * is refused from the event's headers alone: its body is not decoded nor its form read, nothing
     * else is built, and under a flood one line a second is logged (with the count) rather than one
     * per request. A body that may be over the limit goes the usual way, so its answer stays 413.
     */
    private static boolean unsignedAndSmall(APIGatewayV2HTTPEvent event) {
        if (event == null || event.getHeaders() == null) {
            return false;
        }
        String signature = null;
        for (java.util.Map.Entry<String, String> header : event.getHeaders().entrySet()) {
            if (SignatureVerifier.HEADER.equalsIgnoreCase(header.getKey())) {
                signature = header.getValue();
                break;
            }
        }
        if (signature != null && SIGNATURE_SHAPE.matcher(signature).matches()) {
            return false;
        }
        String body = event.getBody();
        long largest = body == null ? 0 : event.getIsBase64Encoded() ? body.length() / 4L * 3 + 3 : body.length() * 3L;
        return largest <= ApiRequest.MAX_BODY_BYTES;
    }

    /**
     * Logs an unsigned refusal, at most one line a second, and counts it in the metrics with the
     * line: under a flood, one EMF data point a second carrying the refusals since the last (each
     * would otherwise be a line of its own in the log group).
     */
    private void logUnsigned(APIGatewayV2HTTPEvent event) {
        long now = System.nanoTime();
        long last = LAST_UNSIGNED_LOG.get();
        if (last != 0 && now - last < 1_000_000_000L || !LAST_UNSIGNED_LOG.compareAndSet(last, now)) {
            UNSIGNED_UNLOGGED.incrementAndGet();
            return;
        }
        long unlogged = UNSIGNED_UNLOGGED.getAndSet(0);
        metrics.signaturesRefused(1 + unlogged);
        LOG.warn("Rejected webhook with a missing or malformed {} on {}{}", SignatureVerifier.HEADER, event.getRawPath(),
                unlogged == 0 ? "" : " (and " + unlogged + " more since the last line)");
    }

    private APIGatewayV2HTTPResponse serve(APIGatewayV2HTTPEvent event) {
        if (unsignedAndSmall(event)) {
            logUnsigned(event);
            return rejection(UNSIGNED);
        }
        ApiRequest request;
        try {
            request = ApiRequest.from(event);
        } catch (HttpError e) {
            LOG.warn("Rejected unreadable webhook: {}", e.getMessage());
            return rejection(e);
        }
        if (!signed(signatures, secrets, request)) {
            LOG.warn("Rejected webhook with a missing or invalid {} on {} {}", SignatureVerifier.HEADER, request.method(), request.path());
            metrics.signatureRefused();
            return rejection(new HttpError(403, "invalid_signature", "the Twilio signature is missing or does not match"));
        }
        try {
            return handle(request);
        } catch (HttpError e) {
            LOG.warn("Rejected webhook on {}: {} {}", request.path(), e.status(), e.getMessage());
            return rejection(e);
        } catch (RuntimeException e) {
            // A dependency failed (DynamoDB, the network): Twilio sees a 503, no internals leave. Twilio delivers it
            // again only because the product's callback URLs ask for retries on 5xx (WebhookUrls); by default it would not.
            LOG.error("Webhook on {} failed", request.path(), e);
            return rejection(HttpError.unavailable());
        }
    }

    /**
     * Whether Twilio signed the request with a token the secrets hold. A signature that matches none
     * of the tokens held may be made with one put into the secret since this container read it (a
     * rotation): the secret is then read again, at most once a minute, and the check repeated. What
     * the container holds is read again first when it is ten minutes old, so that a token taken out
     * of the secret (the old one, after a rotation) stops counting.
     */
    public static boolean signed(SignatureVerifier signatures, TwilioSecretStore secrets, ApiRequest request) {
        secrets.refreshIfOld();
        return signatures.isValid(request) || (secrets.reloadIfStale() && signatures.isValid(request));
    }

    /** Serves a request whose signature has been verified. */
    protected abstract APIGatewayV2HTTPResponse handle(ApiRequest request);

    /** The answer to a refused request; TwiML routes override this to stay valid TwiML where Twilio needs it. */
    @Override
    protected APIGatewayV2HTTPResponse rejection(HttpError error) {
        return ApiResponses.error(error);
    }
}
