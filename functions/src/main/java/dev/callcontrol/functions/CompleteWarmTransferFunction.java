package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Idempotency;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;

/**
 * {@code POST /calls/{taskSid}/warm-transfer/complete}: the agent who started the transfer leaves;
 * the customer stays with the target, and the agent's task moves to wrap-up. Honours
 * {@code Idempotency-Key}.
 */
public final class CompleteWarmTransferFunction extends AgentEndpoint {
    private final CallControl calls;
    private final Idempotency idempotency;

    public CompleteWarmTransferFunction() {
        this(Config.fromEnvironment());
    }

    public CompleteWarmTransferFunction(Config config) {
        this(config, Wiring.callStore(config));
    }

    private CompleteWarmTransferFunction(Config config, dev.callcontrol.store.CallStore store) {
        this(config, Wiring.callControl(config, store, Wiring.telephony(config)), store);
    }

    CompleteWarmTransferFunction(Config config, CallControl calls, CallRecords records) {
        super(config);
        this.calls = calls;
        this.idempotency = new Idempotency(records);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        return idempotency.once(request, taskSid, () -> ApiResponses.json(200, calls.warm().complete(taskSid, principal).view()));
    }
}
