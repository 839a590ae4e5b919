package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;

import java.util.List;
import java.util.Map;

/**
 * {@code POST /calls/{taskSid}/wrap-up} {@code {"disposition": "...", "notes": "..."}}: the agent whose
 * task of this call is in wrap-up ends it. Their task is completed in TaskRouter with the
 * disposition and notes in its attributes ({@code wrap_up}); a disposition outside
 * {@code WRAP_UP_DISPOSITIONS} (when set) is a 400, and a caller with no task of the call in
 * wrap-up gets 409 {@code not_wrapping}.
 */
public final class WrapUpFunction extends AgentEndpoint {
    private final CallControl calls;
    private final List<String> dispositions;

    public WrapUpFunction() {
        this(Config.fromEnvironment());
    }

    public WrapUpFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    WrapUpFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
        this.dispositions = config.wrapUpDispositions();
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        Map<String, Object> body = request.jsonBody();
        if (!(body.get("disposition") instanceof String disposition)) {
            throw HttpError.badRequest("the body must be {\"disposition\": \"...\", \"notes\": \"...\"} with a disposition");
        }
        Object notes = body.get("notes");
        if (notes != null && !(notes instanceof String)) {
            throw HttpError.badRequest("notes must be text");
        }
        return ApiResponses.json(200, calls.wrapUp(taskSid, principal, disposition, (String) notes, dispositions).view());
    }
}
