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
 * {@code POST /calls/{taskSid}/supervisor} {@code {"mode": "monitor"|"whisper"|"barge"}}: joins the
 * calling supervisor in that mode (their phone rings, and answering joins them), or switches the
 * mode of a supervisor already on the call. Supervisors only.
 */
public final class SuperviseFunction extends AgentEndpoint {
    private final CallControl calls;

    public SuperviseFunction() {
        this(Config.fromEnvironment());
    }

    public SuperviseFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    SuperviseFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        if (!(request.jsonBody().get("mode") instanceof String mode)) {
            throw HttpError.badRequest("the body must be {\"mode\": \"monitor\"}, {\"mode\": \"whisper\"} or {\"mode\": \"barge\"}");
        }
        return ApiResponses.json(200, calls.supervise(taskSid, principal, CallControl.Mode.of(mode)).view());
    }
}
