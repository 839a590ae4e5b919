package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;

/**
 * {@code POST /calls/{taskSid}/hangup}: ends the call for everyone (one request: the conference
 * ends), after which every task of the call moves to wrap-up. The connected agent or a supervisor.
 */
public final class HangupFunction extends AgentEndpoint {
    private final CallControl calls;

    public HangupFunction() {
        this(Config.fromEnvironment());
    }

    public HangupFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    HangupFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        return ApiResponses.json(200, calls.hangup(taskSid(request), principal).view());
    }
}
