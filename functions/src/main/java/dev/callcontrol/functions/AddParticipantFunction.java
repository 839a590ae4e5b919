package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Idempotency;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.calls.TransferTarget;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;

/**
 * {@code POST /calls/{taskSid}/participants} {@code {"to": {"worker": "WK..."}}} or
 * {@code {"to": {"number": "+E.164"}}}: an agent on the call adds someone to it without holding the
 * customer, a worker through a TaskRouter task, a number under the toll-fraud guard. Answers 201
 * with the party, ringing; 409 {@code too_many_parties} beyond {@code MAX_PARTIES}, 409 while a
 * transfer is under way, 403 for someone not on the call. Honours {@code Idempotency-Key}.
 */
public final class AddParticipantFunction extends AgentEndpoint {
    private final CallControl calls;
    private final Idempotency idempotency;
    private final int maxParties;

    public AddParticipantFunction() {
        this(Config.fromEnvironment());
    }

    public AddParticipantFunction(Config config) {
        this(config, Wiring.callStore(config));
    }

    private AddParticipantFunction(Config config, dev.callcontrol.store.CallStore store) {
        this(config, Wiring.callControl(config, store, Wiring.telephony(config)), store);
    }

    AddParticipantFunction(Config config, CallControl calls, CallRecords records) {
        super(config);
        this.calls = calls;
        this.idempotency = new Idempotency(records, config.clock());
        this.maxParties = config.maxParties();
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        TransferTarget target = TransferTarget.parse(request.jsonBody());
        return idempotency.once(request, principal, taskSid,
                () -> ApiResponses.json(201, calls.addParty(taskSid, principal, target, maxParties).view()));
    }
}
