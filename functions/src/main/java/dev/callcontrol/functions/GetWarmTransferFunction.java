package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;

/**
 * {@code GET /calls/{taskSid}/warm-transfer}: the call's active or last warm transfer with its
 * history (every transition: who, when, from, to, why). The agents on it and supervisors.
 */
public final class GetWarmTransferFunction extends AgentEndpoint {
    private final CallControl calls;

    public GetWarmTransferFunction() {
        this(Config.fromEnvironment());
    }

    public GetWarmTransferFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    GetWarmTransferFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        return ApiResponses.json(200, calls.warm().view(taskSid(request), principal).view());
    }
}
