package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.TransferTarget;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;

/**
 * {@code POST /calls/{taskSid}/cold-transfer} {@code {"to": {"worker"|"queue"|"number": ...}}}: the
 * connected agent hands the customer over and leaves. Answers 202 with the call, whose
 * {@code transfer} shows the target being reached; the customer hears hold music until then.
 */
public final class ColdTransferFunction extends AgentEndpoint {
    private final CallControl calls;

    public ColdTransferFunction() {
        this(Config.fromEnvironment());
    }

    public ColdTransferFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    ColdTransferFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        TransferTarget target = TransferTarget.parse(request.jsonBody());
        return ApiResponses.json(202, calls.coldTransfer(taskSid, principal, target).view());
    }
}
