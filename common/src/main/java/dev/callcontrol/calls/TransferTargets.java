package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.http.HttpError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Resolving where a call may go, shared by cold and warm transfers, requeues and outbound calls:
 * the target checked (the worker and the queue exist, the number may be dialled), and the
 * attributes of the TaskRouter task that carries the customer there.
 */
final class TransferTargets {
    private static final Logger LOG = LoggerFactory.getLogger(TransferTargets.class);
    /** Attributes of the original task that describe routing, not the caller: a transfer task sets its own. */
    private static final Set<String> ROUTING_ATTRIBUTES = Set.of("call_sid", "conference", "transfer", "route", "requested_agent", "desired_queue", "outbound_to");

    /**
     * The {@code route} of a task for one named worker ({@code requested_agent}): the workflow's
     * filter compares it ({@code route == 'agent'}), since TaskRouter's expressions have no
     * {@code null} to ask whether {@code requested_agent} is set.
     */
    static final String ROUTE_TO_AGENT = "agent";

    private final Ports ports;
    private final Telephony telephony;
    private final CallControl.Settings settings;

    TransferTargets(Ports ports) {
        this.ports = ports;
        this.telephony = ports.telephony();
        this.settings = ports.settings();
    }

    /**
     * The first step of every transfer, cold or warm: the customer held while the target is
     * reached, side by side: a number dialled into the conference (its participant's call SID), or
     * a worker's or queue's task created with these attributes (its task SID).
     */
    Concurrently.Pair<Boolean, String> holdAndReach(CallRecord call, CallRecord.Leg customer, String target, String to, Map<String, Object> attributes,
                                                    String numberLabel, String from) {
        return Concurrently.run(
                () -> {
                    // Always sent: the record's hold flag may not yet reflect a resume the agent has just made.
                    telephony.hold(call.conferenceSid, customer.callSid, true, ports.holdUrl());
                    return true;
                },
                () -> "number".equals(target)
                        ? telephony.addParticipant(call.conferenceSid, from == null ? settings.callerId() : from, to, numberLabel,
                                ports.transferLegEvents(call.taskSid), settings.ringTimeoutSeconds())
                        : telephony.createTask(attributes, CallControl.TRANSFER_PRIORITY, settings.transferTimeoutSeconds()));
    }

    /**
     * A label for a dialled number's participant that no other participant of the conference has:
     * Twilio refuses a participant whose label is in use (16026), and a number from an earlier
     * transfer (one whose removal failed, say) may still be in the conference. It is short, has no
     * {@code /} and does not look like a call SID (16024).
     */
    static String numberLabel() {
        return Role.TRANSFER.label(UUID.randomUUID().toString().replace("-", ""));
    }

    /**
     * Checks a transfer target and answers it as a transfer's {@code target} and {@code to}; a 400
     * or 403 otherwise.
     */
    CallRecord.Transfer resolve(TransferTarget target, Principal principal) {
        CallRecord.Transfer transfer = new CallRecord.Transfer();
        switch (target) {
            case TransferTarget.ToWorker worker -> {
                if (worker.workerSid().equals(principal.workerSid())) {
                    throw HttpError.badRequest("an agent cannot transfer a call to themselves");
                }
                telephony.worker(worker.workerSid()).orElseThrow(() -> HttpError.badRequest("the workspace has no worker " + worker.workerSid()));
                transfer.target = "worker";
                transfer.to = worker.workerSid();
            }
            case TransferTarget.ToQueue queue -> {
                Telephony.Queue found = telephony.queue(queue.queue()).orElseThrow(() -> HttpError.badRequest("the workspace has no queue " + queue.queue()));
                transfer.target = "queue";
                transfer.to = found.name();
            }
            case TransferTarget.ToNumber number -> {
                requireDialable(number.number());
                requireCallerId(number.from());
                requireDialQuota(principal);
                transfer.target = "number";
                transfer.to = number.number();
            }
        }
        return transfer;
    }

    /**
     * The last step of a transfer that hands the customer over: the transferring agent's leg is
     * removed and their task moved to wrapping, side by side. The customer is already with the
     * target, so a failure here is logged, not thrown: the agent can still hang up themselves.
     */
    void releaseAgent(String conferenceSid, String agentCallSid, String agentTaskSid) {
        var step = Concurrently.run(
                () -> telephony.removeParticipant(conferenceSid, agentCallSid),
                () -> agentTaskSid == null || telephony.updateTask(agentTaskSid, Telephony.TaskStatus.WRAPPING, null));
        if (!step.first().ok()) {
            LOG.error("The transferring agent's leg could not be removed; they must hang up themselves", step.first().failure());
        }
        if (!step.second().ok()) {
            LOG.error("The transferring agent's task could not be moved to wrapping", step.second().failure());
        }
    }

    /**
     * Toll-fraud guard: the product dials only numbers under the configured prefixes and outside
     * the premium and high-cost ranges of the deny-list.
     */
    void requireDialable(String number) {
        settings.destinations().numberRefusal(number).ifPresent(reason -> {
            throw new CallControlException(403, "destination_not_allowed", "the product may not dial that number: " + reason);
        });
    }

    /** The caller ID an agent chose ({@code "from"}, null for none) must be one of {@code OUTBOUND_CALLER_IDS}: 403 otherwise. */
    void requireCallerId(String from) {
        if (from == null) {
            return;
        }
        settings.destinations().callerIdRefusal(from).ifPresent(reason -> {
            throw new CallControlException(403, "caller_id_not_allowed", "the call may not show that caller ID: " + reason);
        });
    }

    /** The caller ID chosen for a transfer to a number, or null (the product's {@code CALLER_ID}). */
    static String callerIdOf(TransferTarget target) {
        return target instanceof TransferTarget.ToNumber number ? number.from() : null;
    }

    /**
     * Toll-fraud guard: one agent has at most {@code AGENT_DIALS_PER_MINUTE} calls placed for
     * them a minute, counted across containers in the call store; 429 with {@code Retry-After}
     * beyond it. Counted before the call is placed, so a dial that then fails still counts.
     */
    void requireDialQuota(Principal principal) {
        long wait = ports.records().countDial(principal.workerSid(), settings.dialsPerMinute());
        if (wait > 0) {
            LOG.warn("Refused a dial: the agent reached AGENT_DIALS_PER_MINUTE ({})", settings.dialsPerMinute());
            throw HttpError.rateLimited("at most " + settings.dialsPerMinute() + " calls a minute may be placed for one agent; try again in "
                    + wait + " s", wait);
        }
    }

    /**
     * The final status of a dialled number's leg that the record already saw leave without ever
     * connecting, or null: its {@code participant-leave} can land before the transfer's write that
     * names the leg, and then nothing else would act on it.
     */
    static String unansweredBefore(CallRecord record, String legCallSid) {
        CallRecord.Leg leg = record.legs.get(legCallSid);
        return leg != null && !leg.present ? leg.unansweredStatus : null;
    }

    /** Whether a transfer, cold or warm, is under way (and so the agent leaving must not end the call). */
    static boolean transferPending(CallRecord record) {
        return record.transfer != null || (record.warm != null && record.warm.active());
    }

    /**
     * The attributes of a transfer task: what the original task said about the caller, where the
     * call is (conference and original task), and the routing the workflow acts on.
     */
    static Map<String, Object> transferAttributes(CallRecord call, CallRecord.Transfer transfer, String fromWorkerSid, String mode) {
        return transferAttributes(call, transfer.target, transfer.to, fromWorkerSid, mode, transfer.id);
    }

    static Map<String, Object> transferAttributes(CallRecord call, String target, String to, String fromWorkerSid, String mode, String transferId) {
        Map<String, Object> attributes = new LinkedHashMap<>(call.callerAttributes == null ? Map.of() : call.callerAttributes);
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("mode", mode);
        if (transferId != null) {
            about.put("transfer_id", transferId);
        }
        about.put("call_task_sid", call.taskSid);
        about.put("conference_sid", call.conferenceSid);
        about.put("customer_call_sid", call.customerCallSid);
        about.put("from_worker_sid", fromWorkerSid);
        about.put("target", target);
        attributes.put("transfer", about);
        if ("worker".equals(target)) {
            attributes.put("route", ROUTE_TO_AGENT);
            attributes.put("requested_agent", to);
        } else if (to != null) {
            attributes.put("desired_queue", to);
        }
        return attributes;
    }

    /** What the original task says about the caller, without its routing: what a transfer task carries on. */
    static Map<String, Object> callerAttributes(Map<String, Object> attributes) {
        Map<String, Object> out = new LinkedHashMap<>(attributes);
        ROUTING_ATTRIBUTES.forEach(out::remove);
        return out;
    }
}
