package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;

/**
 * {@code DELETE /calls/{taskSid}/supervisor}: takes the supervisor off the call, or stops their
 * phone ringing. The customer and the agent notice nothing. Supervisors only, and each only their
 * own session: a supervisor on the call is not taken off by another (403 {@code not_your_session};
 * issue 19, finding 8), checked in the record's conditional write ({@code Supervision.stop}).
 */
public final class StopSupervisingFunction extends AgentEndpoint {
    private final CallControl calls;

    public StopSupervisingFunction() {
        this(Config.fromEnvironment());
    }

    public StopSupervisingFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    StopSupervisingFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        return ApiResponses.json(200, calls.stopSupervising(taskSid(request), principal).view());
    }
}
