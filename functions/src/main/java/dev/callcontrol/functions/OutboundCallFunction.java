package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /calls} {@code {"to": "+E.164"}}: an outbound call for the calling agent. TaskRouter
 * rings the agent, then dials the customer into a conference named by the new task; the answer
 * (202) names that task, which {@code GET /calls/{taskSid}} follows from then on.
 */
public final class OutboundCallFunction extends AgentEndpoint {
    private final CallControl calls;

    public OutboundCallFunction() {
        this(Config.fromEnvironment());
    }

    public OutboundCallFunction(Config config) {
        this(config, Wiring.callControlWithoutRecords(config));
    }

    OutboundCallFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        if (!(request.jsonBody().get("to") instanceof String to)) {
            throw HttpError.badRequest("the body must be {\"to\": \"+E.164\"}");
        }
        String task = calls.dialOut(principal, to.trim());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("taskSid", task);
        view.put("status", "connecting");
        return ApiResponses.json(202, view);
    }
}
