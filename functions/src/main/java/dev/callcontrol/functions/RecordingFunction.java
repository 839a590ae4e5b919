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
 * {@code POST /calls/{taskSid}/recording} {@code {"action": "pause"|"resume"}}: the connected agent
 * pauses the conference's recording (while a card number is read aloud, say) or resumes it. The
 * recording still running is listed and updated through Twilio's Conference Recording resource;
 * asking for what already is changes nothing. 409 {@code no_recording} when the call has no recording
 * running; the call's view ({@code recording}) shows its state.
 */
public final class RecordingFunction extends AgentEndpoint {
    private final CallControl calls;

    public RecordingFunction() {
        this(Config.fromEnvironment());
    }

    public RecordingFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    RecordingFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        Object action = request.jsonBody().get("action");
        if (!"pause".equals(action) && !"resume".equals(action)) {
            throw HttpError.badRequest("the body must be {\"action\": \"pause\"} or {\"action\": \"resume\"}");
        }
        return ApiResponses.json(200, calls.recording(taskSid, principal, "pause".equals(action)).view());
    }
}
