package dev.callcontrol.calls;

import dev.callcontrol.agent.Principal;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Outbound calls, placed the way TaskRouter places them: a task for the calling agent
 * ({@code requested_agent}) whose attributes carry {@code outbound_to}. The assignment callback
 * answers it with the {@code conference} instruction, so TaskRouter rings the agent first and then
 * dials the customer into the conference named by the task; from then on it is a call like any other.
 */
final class Outbound {
    private static final Logger LOG = LoggerFactory.getLogger(Outbound.class);

    private final Telephony telephony;
    private final TransferTargets targets;
    private final CallControl.Settings settings;

    Outbound(Ports ports, TransferTargets targets) {
        this.telephony = ports.telephony();
        this.targets = targets;
        this.settings = ports.settings();
    }

    /**
     * One request; answers the new task's SID. {@code from}, when not null, is the caller ID the
     * customer sees (one of {@code OUTBOUND_CALLER_IDS}); the task carries it as {@code outbound_from}.
     */
    String dial(Principal principal, String number, String from) {
        if (!TransferTarget.E164.matcher(number).matches()) {
            throw HttpError.badRequest("to must be an E.164 number: +, the country code and up to 14 more digits");
        }
        targets.requireDialable(number);
        targets.requireCallerId(from);
        targets.requireDialQuota(principal);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("direction", "outbound");
        attributes.put("outbound_to", number);
        if (from != null) {
            attributes.put("outbound_from", from);
        }
        attributes.put("route", TransferTargets.ROUTE_TO_AGENT);
        attributes.put("requested_agent", principal.workerSid());
        // The task waits for its agent as long as a transfer waits for its target: an outbound call that could not
        // reach its agent is canceled by TaskRouter, not left pending for a day to ring the customer long after.
        String task = telephony.createTask(attributes, CallControl.OUTBOUND_PRIORITY, settings.transferTimeoutSeconds());
        CallLog.put(CallLog.TASK_SID, task);
        LOG.info("Outbound call requested; TaskRouter rings the agent, then the customer");
        return task;
    }
}
