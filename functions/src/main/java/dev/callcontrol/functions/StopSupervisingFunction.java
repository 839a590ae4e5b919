package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;

/**
 * {@code DELETE /calls/{taskSid}/supervisor}: takes the supervisor off the call, or stops their
 * phone ringing. The customer and the agent notice nothing. Supervisors only, and each only their
 * own session: a supervisor on the call is not taken off by another (403 {@code not_your_session};
 * issue 19, finding 8).
 */
public final class StopSupervisingFunction extends AgentEndpoint {
    private final CallRecords records;
    private final CallControl calls;

    public StopSupervisingFunction() {
        this(Config.fromEnvironment());
    }

    public StopSupervisingFunction(Config config) {
        this(config, Wiring.callStore(config), Wiring.telephony(config));
    }

    private StopSupervisingFunction(Config config, CallRecords records, dev.callcontrol.calls.Telephony telephony) {
        this(config, records, Wiring.callControl(config, records, telephony));
    }

    StopSupervisingFunction(Config config, CallRecords records, CallControl calls) {
        super(config);
        this.records = records;
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        if (principal.supervisor()) {
            CallRecord.Supervision session = records.find(taskSid).map(call -> call.supervisor).orElse(null);
            if (session != null && !principal.workerSid().equals(session.workerSid)) {
                throw new HttpError(403, "not_your_session", "another supervisor is on this call; only they can leave it");
            }
        }
        return ApiResponses.json(200, calls.stopSupervising(taskSid, principal).view());
    }
}
