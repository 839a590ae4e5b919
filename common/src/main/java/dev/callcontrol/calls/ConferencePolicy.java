package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

/**
 * What the product does when the conference changes: a conference status callback is applied to
 * the call record (by {@code SequenceNumber}, so repeats change nothing), then acted on. A transfer
 * target joining takes the customer off hold; the agent joining after the pre-call whisper brings
 * the caller in; an agent leaving wraps their task; the last agent leaving with no transfer pending
 * ends the conference, so the customer is never left alone in it (the last-agent rule); the
 * conference ending moves the call's remaining tasks on. A leg the conference's end takes with it
 * ({@link #endingWithTheCall}) leaves nothing to decide: the {@code conference-end} does. A warm
 * transfer under way decides first ({@link WarmTransferEvents}).
 */
final class ConferencePolicy {
    private static final Logger LOG = LoggerFactory.getLogger(ConferencePolicy.class);

    private final Ports ports;
    private final WarmTransferEvents warm;
    private final Recordings recordings;
    private final PartyEvents parties;

    ConferencePolicy(Ports ports, WarmTransferEvents warm, Recordings recordings, PartyEvents parties) {
        this.ports = ports;
        this.warm = warm;
        this.recordings = recordings;
        this.parties = parties;
    }

    Optional<CallRecord> onConferenceEvent(ConferenceEvent event) {
        if (event.taskSid() == null) {
            LOG.info("Ignoring {} of a conference not named by a task", event.type());
            return Optional.empty();
        }
        // The leg TaskRouter connected is unlabelled (conference instruction) or labelled with the call's own task (whisper).
        boolean unlabelled = event.isParticipantEvent() && !event.neverJoined() && (Role.ofLabel(event.label()) == null
                || Role.ofLabel(event.label()) == Role.AGENT && event.taskSid().equals(Role.sidInLabel(event.label(), "WT")));
        Telephony.TaskContext[] task = new Telephony.TaskContext[1];
        boolean[] looked = new boolean[1];
        String[] calledNumber = new String[1];
        Effects[] effects = new Effects[1];
        Optional<CallRecord> updated = ports.records().update(event.taskSid(), () -> new CallRecord(event.taskSid()), record -> {
            effects[0] = new Effects(ports);
            boolean learned = false;
            if (unlabelled && record.customerCallSid == null) {
                // The first unlabelled leg: learn from the task (once, even if a lost race runs this again) who is who.
                if (!looked[0]) {
                    looked[0] = true;
                    task[0] = ports.telephony().task(event.taskSid()).orElse(null);
                }
                if (task[0] != null) {
                    record.customerCallSid = task[0].customerCallSid();
                    record.workerSid = task[0].workerSid();
                    record.queue = task[0].queueName();
                    record.callerAttributes = TransferTargets.callerAttributes(task[0].attributes());
                    learned = true;
                }
            }
            if (unlabelled && record.customerCallSid == null && event.type().equals("participant-join") && outboundTo(task[0]) != null) {
                // An outbound call's customer leg is the one placed to outbound_to. TaskRouter documents neither
                // when it writes conference.participants.customer nor the order of the joins, so the leg's own
                // number decides (read once per leg, and only while the customer is unknown).
                if (calledNumber[0] == null) {
                    calledNumber[0] = ports.telephony().calledNumber(event.callSid()).orElse("");
                }
                if (calledNumber[0].equals(outboundTo(task[0]))) {
                    record.customerCallSid = event.callSid();
                    learned = true;
                }
            }
            boolean changed = record.apply(event, ports.clock().instant());
            if (changed) {
                decide(record, event, effects[0]);
                CallReports.warmEnded(record);
            }
            return changed || learned;
        });
        if (effects[0] != null && updated.isPresent()) {
            effects[0].run(updated.get());
            // The customer held or taken off hold, whoever did it: the recording follows (PAUSE_RECORDING_ON_HOLD).
            recordings.follow(updated.get());
        }
        return updated;
    }

    private static String outboundTo(Telephony.TaskContext task) {
        return task != null && task.attributes().get("outbound_to") instanceof String number && !number.isBlank() ? number : null;
    }

    /**
     * Whether a participant's leave is the conference ending around it rather than the participant
     * leaving the call: Twilio says so ({@code conference_ended_via_api}, {@code moderator_ended_conference}),
     * or the customer, whose leg ends the conference on exit, has already left (a leave that came
     * without a reason, or before its reason was known to the product).
     */
    static boolean endingWithTheCall(CallRecord record, ConferenceEvent event) {
        if (event.leftWithConference()) {
            return true;
        }
        CallRecord.Leg customer = record.customer();
        return customer != null && !customer.present && !customer.callSid.equals(event.callSid());
    }

    private void decide(CallRecord record, ConferenceEvent event, Effects effects) {
        if (event.type().equals("conference-end")) {
            // The customer's leg ends the conference on exit; an end through the API was claimed by whoever asked for it.
            if (record.endedBy == null && !event.endedViaApi()) {
                record.endedBy = CallReports.CUSTOMER;
            }
            warm.decide(record, event, null, effects);
            CallReports.coldEnded(record, CallReports.CUSTOMER.equals(record.endedBy) ? "customer_hung_up" : "call_ended", null, ports.clock().instant());
            effects.report = true;
            record.tasks.replaceAll((task, state) -> {
                if (CallRecord.TASK_ROUTING.equals(state)) {
                    effects.cancel.add(task);
                    return CallRecord.TASK_CANCELED;
                }
                if (CallRecord.TASK_ASSIGNED.equals(state)) {
                    // TaskRouter wraps the conference instruction's own task when the conference ends; the others are ours to move.
                    if (!task.equals(record.taskSid) || !record.ownTaskWrappedByTaskRouter) {
                        effects.wrap.add(task);
                    }
                    return CallRecord.TASK_WRAPPING;
                }
                return state;
            });
            record.transfer = null;
            record.supervisor = null;
            parties.decide(record, event, null, effects);
            return;
        }
        CallRecord.Leg leg = event.callSid() == null ? null : record.legs.get(event.callSid());
        if (leg != null && leg.role == Role.CUSTOMER && event.type().equals("participant-leave") && !event.leftWithConference() && !event.neverJoined()) {
            CallReports.endedBy(record, CallReports.CUSTOMER);
        }
        if (warm.decide(record, event, leg, effects)) {
            return;
        }
        if (leg != null && leg.role == Role.SUPERVISOR) {
            CallRecord.Supervision supervision = record.supervisor;
            if (supervision != null && supervision.workerSid.equals(leg.workerSid)) {
                if (event.type().equals("participant-join") && leg.present) {
                    supervision.state = "joined";
                    supervision.callSid = leg.callSid;
                } else if (event.type().equals("participant-leave")) {
                    record.supervisor = null;
                }
            }
            return;
        }
        if (parties.decide(record, event, leg, effects)) {
            return;
        }
        CallRecord.Transfer transfer = record.transfer;
        if (leg != null && leg.role == Role.TRANSFER && event.type().equals("participant-join") && leg.present
                && transfer != null && "number".equals(transfer.target) && (transfer.callSid == null || transfer.callSid.equals(leg.callSid))) {
            CallReports.coldEnded(record, "completed", null, ports.clock().instant());
            record.transfer = null;
            CallRecord.Leg customer = record.customer();
            effects.unholdCustomer = customer != null && customer.present;
            return;
        }
        if (leg == null || (leg.role != Role.AGENT && leg.role != Role.TRANSFER)) {
            return;
        }
        if (event.type().equals("participant-join") && leg.present && record.taskSid.equals(leg.taskSid) && event.label() != null) {
            // The agent joined after their whisper (call instruction): bring the waiting caller in.
            record.agentCallSid = leg.callSid;
            record.workerSid = leg.workerSid;
            record.ownTaskWrappedByTaskRouter = false;
            record.tasks.putIfAbsent(record.taskSid, CallRecord.TASK_ASSIGNED);
            CallRecord.Leg customer = record.customer();
            effects.bringCustomer = record.customerCallSid != null && (customer == null || !customer.present);
            return;
        }
        if (event.type().equals("participant-join") && leg.present && leg.taskSid != null && !leg.taskSid.equals(record.taskSid)
                && transfer != null && (transfer.taskSid == null || transfer.taskSid.equals(leg.taskSid))) {
            CallReports.coldEnded(record, "completed", leg.taskSid, ports.clock().instant());
            record.transfer = null;
            record.workerSid = leg.workerSid;
            record.agentCallSid = leg.callSid;
            record.tasks.put(leg.taskSid, CallRecord.TASK_ASSIGNED);
            CallRecord.Leg customer = record.customer();
            effects.unholdCustomer = customer != null && customer.present;
            return;
        }
        if (event.type().equals("participant-leave") && !endingWithTheCall(record, event) && !event.neverJoined() && !record.ended()) {
            List<CallRecord.Leg> agents = record.present(Role.AGENT);
            if (leg.callSid.equals(record.agentCallSid) && !agents.isEmpty()) {
                // The connected agent left while a worker they added is on: that worker now has the call (hold, transfer, hang up).
                record.agentCallSid = agents.get(0).callSid;
                record.workerSid = agents.get(0).workerSid;
            }
            // Added numbers (Role.PARTY) do not keep the call up: with no agent left, it ends for everyone (docs/decisions.md).
            CallRecord.Leg customer = record.customer();
            effects.endConference = record.present(Role.AGENT).isEmpty() && record.present(Role.TRANSFER).isEmpty()
                    && !TransferTargets.transferPending(record) && customer != null && customer.present;
            if (effects.endConference) {
                // The last-agent rule ends the call: whoever left last ended it (an agent a transfer brought is its target).
                CallReports.endedBy(record, leg.role == Role.TRANSFER && leg.taskSid == null ? CallReports.EXTERNAL_PARTY
                        : leg.taskSid != null && !leg.taskSid.equals(record.taskSid) ? CallReports.TRANSFER_TARGET : CallReports.AGENT);
            }
            if (leg.taskSid != null && CallRecord.TASK_ASSIGNED.equals(record.tasks.get(leg.taskSid))) {
                record.tasks.put(leg.taskSid, CallRecord.TASK_WRAPPING);
                // Ending the conference wraps the conference instruction's task by itself; asking as well would be refused.
                if (!(effects.endConference && leg.taskSid.equals(record.taskSid) && record.ownTaskWrappedByTaskRouter)) {
                    effects.wrap.add(leg.taskSid);
                }
            }
        }
    }
}
