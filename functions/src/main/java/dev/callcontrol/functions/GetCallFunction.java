package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.store.CallStore;

import java.util.Optional;

/**
 * {@code GET /calls/{taskSid}}: the call as the product knows it. The connected agent and
 * supervisors may read it. Before the conference exists, TaskRouter says whether the task is real.
 */
public final class GetCallFunction extends AgentEndpoint {
    private final CallStore store;
    private final Telephony telephony;

    public GetCallFunction() {
        this(Config.fromEnvironment());
    }

    public GetCallFunction(Config config) {
        this(config, Wiring.callStore(config), Wiring.telephony(config));
    }

    GetCallFunction(Config config, CallStore store, Telephony telephony) {
        super(config);
        this.store = store;
        this.telephony = telephony;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        Optional<CallRecord> record = store.find(taskSid);
        if (record.isPresent() && record.get().conferenceSid != null) {
            CallRecord call = record.get();
            if (!principal.supervisor() && !principal.workerSid().equals(call.workerSid)) {
                throw CallControlException.forbidden("only the connected agent or a supervisor may see this call");
            }
            return ApiResponses.json(200, CallViews.of(call));
        }
        Telephony.TaskContext task = telephony.task(taskSid).orElseThrow(() -> CallControlException.notFound("no task " + taskSid));
        if (!principal.supervisor() && !principal.workerSid().equals(task.workerSid())) {
            throw CallControlException.forbidden("only the connected agent or a supervisor may see this call");
        }
        return ApiResponses.json(200, CallViews.connecting(taskSid, task.assignmentStatus()));
    }
}
