package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Idempotency;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.calls.WarmTransfer;
import dev.callcontrol.calls.WarmTransfers;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.store.CallStore;

/**
 * Base of the warm-transfer commands on a running transfer (three-way, complete, cancel): the
 * adapters built once per container, {@code Idempotency-Key} honoured, and the transfer as the answer.
 */
abstract class WarmTransferCommand extends AgentEndpoint {
    private final CallControl calls;
    private final Idempotency idempotency;

    WarmTransferCommand(Config config) {
        this(config, Wiring.callStore(config));
    }

    private WarmTransferCommand(Config config, CallStore store) {
        this(config, Wiring.callControl(config, store, Wiring.telephony(config)), store);
    }

    WarmTransferCommand(Config config, CallControl calls, CallRecords records) {
        super(config);
        this.calls = calls;
        this.idempotency = new Idempotency(records, config.clock());
    }

    /** The step this command takes on the call's transfer. */
    abstract WarmTransfer run(WarmTransfers transfers, String taskSid, Principal principal);

    @Override
    protected final APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        return idempotency.once(request, principal, taskSid, () -> ApiResponses.json(200, run(calls.warm(), taskSid, principal).view()));
    }
}
