package dev.callcontrol.twilio;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.config.Config;
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

    protected TwilioWebhook(Config config) {
        this.secrets = TwilioSecretStore.of(config);
        this.signatures = new SignatureVerifier(secrets::signingTokens, config.publicBaseUrl(), WebhookUrls.FRAGMENTS);
    }

    @Override
    public final APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return CallLog.invocation(context, () -> Deadline.within(context, () -> serve(event)));
    }

    private APIGatewayV2HTTPResponse serve(APIGatewayV2HTTPEvent event) {
        ApiRequest request;
        try {
            request = ApiRequest.from(event);
        } catch (HttpError e) {
            LOG.warn("Rejected unreadable webhook: {}", e.getMessage());
            return rejection(e);
        }
        if (!signed(signatures, secrets, request)) {
            LOG.warn("Rejected webhook with a missing or invalid {} on {} {}", SignatureVerifier.HEADER, request.method(), request.path());
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
