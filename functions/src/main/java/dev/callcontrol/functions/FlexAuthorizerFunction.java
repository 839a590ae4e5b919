package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import dev.callcontrol.agent.FlexAuthorizer;
import dev.callcontrol.agent.FlexTokenValidator;
import dev.callcontrol.config.Config;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.snapstart.Priming;
import dev.callcontrol.twilio.TwilioSecretStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Map;

/**
 * The agent API's Lambda REQUEST authorizer when {@code AgentAuth} is {@code flex} (HTTP API,
 * payload 2.0, simple responses): {@code {"isAuthorized": ..., "context": {...}}} from
 * {@link FlexAuthorizer}. Twilio IAM is asked with the account SID and auth token, as
 * twilio-flex-token-validator asks it.
 */
public final class FlexAuthorizerFunction implements RequestHandler<APIGatewayV2CustomAuthorizerEvent, SimpleIAMPolicyResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(FlexAuthorizerFunction.class);

    private final FlexAuthorizer authorizer;

    public FlexAuthorizerFunction() {
        this(Config.fromEnvironment());
    }

    public FlexAuthorizerFunction(Config config) {
        TwilioSecretStore secrets = TwilioSecretStore.of(config);
        this.authorizer = new FlexAuthorizer(new FlexTokenValidator(config.accountSid(), () -> secrets.current().authToken(), config.twilioApiBaseUrl()),
                config.clock());
        Priming.register("Flex token answers", FlexTokenValidator::prime);
    }

    FlexAuthorizerFunction(FlexAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public SimpleIAMPolicyResponse handleRequest(APIGatewayV2CustomAuthorizerEvent event, Context context) {
        return CallLog.invocation(context, () -> {
            FlexAuthorizer.Decision decision = authorizer.decide(authorization(event));
            if (!decision.authorized()) {
                LOG.info("Flex token refused: {}", decision.reason());
                return new SimpleIAMPolicyResponse(false, Map.of());
            }
            CallLog.put("WorkerSid", decision.context().get(FlexAuthorizer.WORKER_SID));
            return new SimpleIAMPolicyResponse(true, decision.context());
        });
    }

    /** The Authorization header (HTTP APIs lower-case header names in payload 2.0). */
    private static String authorization(APIGatewayV2CustomAuthorizerEvent event) {
        if (event == null || event.getHeaders() == null) {
            return null;
        }
        for (Map.Entry<String, String> header : event.getHeaders().entrySet()) {
            if (header.getKey() != null && header.getKey().toLowerCase(Locale.ROOT).equals("authorization")) {
                return header.getValue();
            }
        }
        return null;
    }
}
