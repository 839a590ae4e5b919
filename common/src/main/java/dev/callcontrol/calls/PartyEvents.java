package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What Twilio's callbacks mean for parties added to a call ({@link Parties}): a party's leg joining
 * or leaving the conference, a number or a worker's phone not answered, a worker's reservation
 * declined or timed out, their task canceled (its TaskRouter timeout, {@code TRANSFER_TIMEOUT_SECONDS}),
 * and, for a party whose reports were lost, the reconciler's timeout. A party that never joins
 * leaves nothing behind: its task is canceled and a number still ringing is hung up.
 */
final class PartyEvents {
    private static final Logger LOG = LoggerFactory.getLogger(PartyEvents.class);
    /** The audit trail's event for a party the reconciler gave up on. */
    static final String PARTY_TIMEOUT = "party_timeout";
    /** Task states TaskRouter has finished with. */
    private static final Set<String> FINISHED = Set.of("completed", "canceled");

    private final Ports ports;

    PartyEvents(Ports ports) {
        this.ports = ports;
    }

    /**
     * A conference event, applied to the record already: a party's leg joining marks it joined
     * (answers true: nothing else is to be decided, the customer was never held); a party's leg
     * leaving marks it left (answers false: the call's own rules, the worker's wrap-up and the
     * last-agent rule, apply as to any leg). The conference's end ends every party.
     */
    boolean decide(CallRecord record, ConferenceEvent event, CallRecord.Leg leg, Effects effects) {
        if (record.parties == null) {
            return false;
        }
        String now = ports.clock().instant().toString();
        if (event.type().equals("conference-end")) {
            for (AddedParty party : record.parties) {
                if (party.active()) {
                    if (party.waiting() && "number".equals(party.kind) && party.callSid != null) {
                        String ringing = party.callSid;
                        effects.then.add(() -> FollowUps.quietly("hanging up a party's number still ringing", () -> ports.telephony().endCall(ringing)));
                    }
                    party.end(reasonFor(party, "call_ended"), now);
                }
            }
            return false;
        }
        if (leg == null) {
            return false;
        }
        if (event.type().equals("participant-join") && leg.present) {
            AddedParty party = Parties.find(record, p -> p.waiting() && joins(p, leg));
            if (party == null) {
                return false;
            }
            party.state = AddedParty.JOINED;
            party.callSid = leg.callSid;
            if (party.taskSid != null) {
                record.tasks.put(party.taskSid, CallRecord.TASK_ASSIGNED);
            }
            LOG.info("An added {} joined the call", party.kind);
            return true;
        }
        if (event.type().equals("participant-leave") && !event.neverJoined()) {
            AddedParty party = Parties.find(record, p -> AddedParty.JOINED.equals(p.state) && leg.callSid.equals(p.callSid));
            if (party != null) {
                party.end(reasonFor(party, ConferencePolicy.endingWithTheCall(record, event) ? "call_ended" : "hung_up"), now);
            }
        }
        return false;
    }

    private static boolean joins(AddedParty party, CallRecord.Leg leg) {
        if ("worker".equals(party.kind)) {
            return leg.role == Role.AGENT && leg.taskSid != null && leg.taskSid.equals(party.taskSid);
        }
        return leg.role == Role.PARTY && (leg.callSid.equals(party.callSid) || leg.label != null && leg.label.equals(party.label));
    }

    /** A removal an agent asked for reads as one, whichever report of it comes first. */
    private static String reasonFor(AddedParty party, String why) {
        return party.removedBy != null ? "removed" : why;
    }

    /** A worker party's answered leg should join only while the party still waits for it. */
    static boolean wants(CallRecord call, String taskSid) {
        return Parties.find(call, p -> AddedParty.RINGING.equals(p.state) && taskSid.equals(p.taskSid)) != null;
    }

    /**
     * A party's phone was not answered (busy, no answer, failed, canceled): by its task (a worker)
     * or its leg (a number). Answers false when no waiting party of this call was that one.
     */
    boolean onUnanswered(String callTaskSid, String taskSid, String callSid, String callStatus) {
        String reason = switch (callStatus) {
            case "busy" -> "busy";
            case "no-answer" -> "no_answer";
            case "canceled" -> "timeout";
            default -> "failed";
        };
        return end(callTaskSid, p -> p.waiting() && (taskSid != null ? taskSid.equals(p.taskSid) : callSid != null && callSid.equals(p.callSid)),
                reason, true, false, WarmTransitions.TWILIO);
    }

    /** The worker declined their reservation, or it timed out: the party ends and their task is withdrawn. */
    boolean onReservationEnded(String callTaskSid, String taskSid, boolean rejected) {
        return end(callTaskSid, p -> p.waiting() && taskSid.equals(p.taskSid), rejected ? "declined" : "timeout", true, false, WarmTransitions.TWILIO);
    }

    /** The worker's task was canceled (its timeout, an administrator, a removal) before they joined. */
    boolean onTaskCanceled(String callTaskSid, String taskSid) {
        return end(callTaskSid, p -> p.waiting() && taskSid.equals(p.taskSid), "timeout", false, false, WarmTransitions.TWILIO);
    }

    /**
     * The reconciler's check: a party that has not joined within {@code TRANSFER_TIMEOUT_SECONDS}
     * of being added ends as a no-answer, whatever Twilio reported: its task canceled (found by the
     * party's id when the record never learned it), a number still ringing hung up. Answers the
     * audit trail's event, or null when no party had waited that long.
     */
    String timeout(CallRecord record, Duration transferTimeout) {
        if (record.parties == null || record.ended()) {
            return null;
        }
        Instant now = ports.clock().instant();
        List<AddedParty> late = new ArrayList<>();
        for (AddedParty party : record.parties) {
            if (party.waiting() && party.addedAt != null && !Instant.parse(party.addedAt).plus(transferTimeout).isAfter(now)) {
                late.add(party);
            }
        }
        if (late.isEmpty()) {
            return null;
        }
        for (AddedParty party : late) {
            if ("worker".equals(party.kind) && party.taskSid == null) {
                // Claimed, then the invocation stopped before recording its task: TaskRouter finds it by the party's id.
                FollowUps.quietly("withdrawing a party's unrecorded task", () -> {
                    for (Map.Entry<String, String> task : ports.telephony().transferTasks(party.id).entrySet()) {
                        if (!FINISHED.contains(task.getValue())) {
                            ports.telephony().updateTask(task.getKey(), Telephony.TaskStatus.CANCELED, "the party was not reached in time");
                        }
                    }
                });
            }
            end(record.taskSid, p -> p.id.equals(party.id) && p.waiting(), "timeout", true, true, Watchdog.BY);
        }
        LOG.warn("{} added part{} had not joined within TRANSFER_TIMEOUT_SECONDS; withdrawn", late.size(), late.size() == 1 ? "y" : "ies");
        return PARTY_TIMEOUT;
    }

    /**
     * Ends the party {@code which} picks, if any: its task (still routing) marked canceled and, with
     * {@code cancelTask}, canceled in TaskRouter; with {@code hangUp}, a number still ringing is hung
     * up. Not by Twilio: written in the audit trail. Answers whether a party ended.
     */
    boolean end(String callTaskSid, Predicate<AddedParty> which, String reason, boolean cancelTask, boolean hangUp, String by) {
        CallRecord found = ports.records().find(callTaskSid).orElse(null);
        if (found == null) {
            return false;
        }
        List<Runnable> then = new ArrayList<>();
        boolean[] ended = new boolean[1];
        ports.records().update(found.taskSid, () -> found, record -> {
            then.clear();
            ended[0] = false;
            AddedParty party = Parties.find(record, which);
            if (party == null || !party.active()) {
                return false;
            }
            Instant now = ports.clock().instant();
            party.end(reasonFor(party, reason), now.toString());
            ended[0] = true;
            String task = party.taskSid;
            if (task != null && CallRecord.TASK_ROUTING.equals(record.tasks.get(task))) {
                record.tasks.put(task, CallRecord.TASK_CANCELED);
                if (cancelTask) {
                    then.add(() -> FollowUps.cancelTask(ports.telephony(), task, "the added party did not join (" + reason + ")"));
                }
            }
            if (hangUp && "number".equals(party.kind) && party.callSid != null) {
                String ringing = party.callSid;
                then.add(() -> FollowUps.quietly("hanging up a party's number still ringing", () -> ports.telephony().endCall(ringing)));
            }
            if (!WarmTransitions.TWILIO.equals(by)) {
                record.audit(now, by, Watchdog.BY.equals(by) ? PARTY_TIMEOUT : "party_" + reason, "the added " + party.kind + " did not join");
            }
            return true;
        });
        then.forEach(Runnable::run);
        if (ended[0]) {
            LOG.info("An added party ended before joining ({})", reason);
        }
        return ended[0];
    }
}
