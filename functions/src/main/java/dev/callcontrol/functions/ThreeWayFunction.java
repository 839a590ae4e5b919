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
 * {@code POST /calls/{taskSid}/warm-transfer/three-way}: the customer comes off hold with both
 * agents. The agent who started the transfer; honours {@code Idempotency-Key}.
 */
public final class ThreeWayFunction extends AgentEndpoint {
    private final CallControl calls;
    private final Idempotency idempotency;

    public ThreeWayFunction() {
        this(Config.fromEnvironment());
    }

    public ThreeWayFunction(Config config) {
        this(config, Wiring.callStore(config));
    }

    private ThreeWayFunction(Config config, dev.callcontrol.store.CallStore store) {
        this(config, Wiring.callControl(config, store, Wiring.telephony(config)), store);
    }

    ThreeWayFunction(Config config, CallControl calls, CallRecords records) {
        super(config);
        this.calls = calls;
        this.idempotency = new Idempotency(records);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        return idempotency.once(request, taskSid, () -> ApiResponses.json(200, calls.warm().threeWay(taskSid, principal).view()));
    }
}
