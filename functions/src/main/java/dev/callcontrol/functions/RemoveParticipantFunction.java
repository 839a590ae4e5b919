package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.twilio.Sids;

/**
 * {@code DELETE /calls/{taskSid}/participants/{callSid}}: an agent on the call removes a party an
 * agent added, named by its leg's call SID (or, while a worker's phone still rings, by their task's
 * SID). Answers 200 with the party; a party that has already left is removed already. The customer
 * is not removed here (409 {@code customer_not_removable}: their call ends by hanging up), nor is
 * anyone else who was not added (404 {@code no_party}).
 */
public final class RemoveParticipantFunction extends AgentEndpoint {
    private final CallControl calls;

    public RemoveParticipantFunction() {
        this(Config.fromEnvironment());
    }

    public RemoveParticipantFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    RemoveParticipantFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        String sid = request.pathParameter("callSid");
        if (sid == null || !Sids.CALL.matcher(sid).matches() && !Sids.TASK.matcher(sid).matches()) {
            throw HttpError.badRequest("callSid must be the party's call SID (CA followed by 32 hex digits), or its task SID (WT...) while it rings");
        }
        return ApiResponses.json(200, calls.removeParty(taskSid, principal, sid).view());
    }
}
