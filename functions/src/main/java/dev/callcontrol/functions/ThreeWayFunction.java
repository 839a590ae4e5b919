package dev.callcontrol.functions;

import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.calls.WarmTransfer;
import dev.callcontrol.calls.WarmTransfers;
import dev.callcontrol.config.Config;

/**
 * {@code POST /calls/{taskSid}/warm-transfer/three-way}: the customer comes off hold with both
 * agents. The agent who started the transfer; honours {@code Idempotency-Key}.
 */
public final class ThreeWayFunction extends WarmTransferCommand {
    public ThreeWayFunction() {
        this(Config.fromEnvironment());
    }

    public ThreeWayFunction(Config config) {
        super(config);
    }

    ThreeWayFunction(Config config, CallControl calls, CallRecords records) {
        super(config, calls, records);
    }

    @Override
    WarmTransfer run(WarmTransfers transfers, String taskSid, Principal principal) {
        return transfers.threeWay(taskSid, principal);
    }
}
