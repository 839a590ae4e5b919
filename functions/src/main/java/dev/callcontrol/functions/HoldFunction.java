package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;

/**
 * {@code POST /calls/{taskSid}/hold} {@code {"hold": true|false}}: holds or resumes the customer.
 * One Twilio request (the participant update) on the way; holding a held customer is a no-op.
 * Only the connected agent may do it.
 */
public final class HoldFunction extends AgentEndpoint {
    private final CallControl calls;

    public HoldFunction() {
        this(Config.fromEnvironment());
    }

    public HoldFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    HoldFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        if (!(request.jsonBody().get("hold") instanceof Boolean hold)) {
            throw HttpError.badRequest("the body must be {\"hold\": true} or {\"hold\": false}");
        }
        return ApiResponses.json(200, calls.hold(taskSid, principal, hold).view());
    }
}
