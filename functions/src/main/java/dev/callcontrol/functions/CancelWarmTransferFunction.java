package dev.callcontrol.functions;

import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.calls.WarmTransfer;
import dev.callcontrol.calls.WarmTransfers;
import dev.callcontrol.config.Config;

/**
 * {@code POST /calls/{taskSid}/warm-transfer/cancel}: the target's leg and task go away and the
 * customer is back with the agent, off hold. Honours {@code Idempotency-Key}.
 */
public final class CancelWarmTransferFunction extends WarmTransferCommand {
    public CancelWarmTransferFunction() {
        this(Config.fromEnvironment());
    }

    public CancelWarmTransferFunction(Config config) {
        super(config);
    }

    CancelWarmTransferFunction(Config config, CallControl calls, CallRecords records) {
        super(config, calls, records);
    }

    @Override
    WarmTransfer run(WarmTransfers transfers, String taskSid, Principal principal) {
        return transfers.cancel(taskSid, principal);
    }
}
