package dev.callcontrol.functions;

import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.calls.WarmTransfer;
import dev.callcontrol.calls.WarmTransfers;
import dev.callcontrol.config.Config;

/**
 * {@code POST /calls/{taskSid}/warm-transfer/complete}: the agent who started the transfer leaves;
 * the customer stays with the target, and the agent's task moves to wrap-up. Honours
 * {@code Idempotency-Key}.
 */
public final class CompleteWarmTransferFunction extends WarmTransferCommand {
    public CompleteWarmTransferFunction() {
        this(Config.fromEnvironment());
    }

    public CompleteWarmTransferFunction(Config config) {
        super(config);
    }

    CompleteWarmTransferFunction(Config config, CallControl calls, CallRecords records) {
        super(config, calls, records);
    }

    @Override
    WarmTransfer run(WarmTransfers transfers, String taskSid, Principal principal) {
        return transfers.complete(taskSid, principal);
    }
}
