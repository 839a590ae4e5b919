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
import dev.callcontrol.calls.TransferTarget;
/**
 * {@code POST /calls/{taskSid}/warm-transfer} {@code {"to": {"worker"|"queue"|"number": ...}}}: the
 * connected agent starts a warm transfer. The customer is held and the target reached; answers 201
 * {@code {"transferId", "state"}}. One active transfer per call (409 otherwise); honours
 * {@code Idempotency-Key}.
 */
public final class WarmTransferFunction extends AgentEndpoint {
    private final CallControl calls;
    private final Idempotency idempotency;

    public WarmTransferFunction() {
        this(Config.fromEnvironment());
    }

    public WarmTransferFunction(Config config) {
        this(config, Wiring.callStore(config));
    }

    private WarmTransferFunction(Config config, dev.callcontrol.store.CallStore store) {
        this(config, Wiring.callControl(config, store, Wiring.telephony(config)), store);
    }

    WarmTransferFunction(Config config, CallControl calls, CallRecords records) {
        super(config);
        this.calls = calls;
        this.idempotency = new Idempotency(records, config.clock());
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        TransferTarget target = TransferTarget.parse(request.jsonBody());
        return idempotency.once(request, principal, taskSid, () -> ApiResponses.json(201, calls.warm().start(taskSid, principal, target).view()));
    }
}
