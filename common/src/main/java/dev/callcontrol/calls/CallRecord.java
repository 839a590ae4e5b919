package dev.callcontrol.calls;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the product knows about one call: its conference, each participant leg by call SID with
 * its role and state, and who the connected agent is. It is built from conference events, which
 * may repeat and arrive out of order: each leg remembers the last {@code SequenceNumber} applied
 * to it, and an event that is not newer changes nothing.
 */
public final class CallRecord {
    /** One participant leg. */
    public static final class Leg {
        public String callSid;
        public Role role;
        public String label;
        public String workerSid;
        public boolean present;
        public boolean hold;
        public boolean muted;
        public boolean coaching;
        public String coachedCallSid;
        /** For agent legs: the task whose reservation put this agent on the call. */
        public String taskSid;
        public long sequence;
        /**
         * For a leg that never connected (a number the Participants API dialled that was not
         * answered): its final call status, from its {@code participant-leave}. A transfer started
         * after that leave was applied finds it here.
         */
        public String unansweredStatus;
        /** When this leg was put on hold (an ISO-8601 instant), while it is; the max-hold watchdog reads it. */
        public String heldSince;

        /** Sets the hold flag, stamping when a hold began (and keeping the first stamp while it lasts). */
        public void hold(boolean held, Instant now) {
            if (!held) {
                heldSince = null;
            } else if ((!hold || heldSince == null) && now != null) {
                heldSince = now.toString();
            }
            hold = held;
        }

        /** How long this leg has been on hold at {@code now}; zero when it is not, or the start is unknown. */
        public Duration heldFor(Instant now) {
            return hold && heldSince != null ? Duration.between(Instant.parse(heldSince), now) : Duration.ZERO;
        }
    }

    /** A cold transfer under way: the customer waits on hold until the target joins. */
    public static final class Transfer {
        /** {@code starting} until the target's task exists, then {@code routing} until the target joins. */
        public String state;
        /** {@code worker}, {@code queue} or {@code number}. */
        public String target;
        /** The worker SID, queue name or number transferred to. */
        public String to;
        /** The task TaskRouter routes to the target (worker and queue transfers). */
        public String taskSid;
        /** The external party's leg (number transfers). */
        public String callSid;
        /** The agent who started the transfer, and the queue a failed transfer to a worker goes back to. */
        public String fromWorkerSid;
        public String fallbackQueue;
        /** How often the customer has been put back in a queue because the target could not take the call. */
        public int requeues;
        /** When the transfer (or the requeue now under way) began, an ISO-8601 instant: the transfer timeout counts from it. */
        public String startedAt;
        /**
         * The transfer's own id, recorded with its claim before any request to Twilio and carried by
         * the task it creates ({@code transfer.transfer_id}), so that an operation that stopped half-way
         * can be found and undone; null for transfers claimed before ids existed.
         */
        public String id;
        /** For a number: the label its participant is given, recorded with the claim, by which the conference lists it. */
        public String label;
        /** The task of the agent who started it, whose segment of the call the transfer ends ({@link CallReports}). */
        public String fromTaskSid;
    }

    /**
     * A transfer that ended, cold or warm, as the tasks' reports give it ({@link CallReports}): what
     * it was, whose segment it ended, and how it came out.
     */
    public static final class TransferOutcome {
        public String id;
        /** {@code cold}, {@code warm}, or {@code requeue} (the product put the customer back in a queue). */
        public String kind;
        /** {@code worker}, {@code queue} or {@code number}, and the worker SID, queue name or number. */
        public String target;
        public String to;
        /** The transferring agent's task, and the target's task (workers and queues). */
        public String fromTaskSid;
        public String targetTaskSid;
        /** {@code completed}, {@code customer_hung_up}, {@code undone}, or a warm transfer's reason ({@code no_answer}, {@code canceled_by_agent}, ...). */
        public String outcome;
        /** Whether the target was ever on the call (a warm transfer's target who consulted). */
        public boolean targetJoined;
        public int requeues;
        public String at;
    }

    /**
     * One entry of the call's audit trail: what the product did on its own (the watchdog, the
     * reconciler, a timeout), when and why. Agents' commands and Twilio's reports have their own
     * traces (the warm transfer's history, the logs).
     */
    public static final class AuditEntry {
        public String at;
        /** {@code watchdog}, {@code reconciler}, or a worker SID. */
        public String by;
        /** What happened, in a word: {@code hold_limit_resumed}, {@code transfer_timeout}, ... */
        public String event;
        public String detail;
    }

    /** The audit trail keeps the newest entries only, so that a record stays far below DynamoDB's item size. */
    public static final int AUDIT_ENTRIES = 20;

    /** A supervisor on the call (or being dialled): who, in which mode, on which leg. */
    public static final class Supervision {
        public String workerSid;
        /** {@code monitor}, {@code whisper} or {@code barge}. */
        public String mode;
        /** {@code dialing} until the supervisor's leg joins, then {@code joined}. */
        public String state;
        public String callSid;
    }

    /**
     * The conference's recording: what is wanted of it (paused by the agent; a hold the agent chose
     * to record through) and what Twilio last said of it (SID and status; {@code none} when the call
     * has no recording running). See {@code Recordings}.
     */
    public static final class Recording {
        public String sid;
        /** {@code in-progress}, {@code paused}, or {@code none}; null until the product has asked Twilio. */
        public String status;
        /** The connected agent paused the recording, and has not resumed it. */
        public boolean pausedByAgent;
        /** The {@code heldSince} of the customer's hold during which the agent resumed the recording (pause-on-hold yields to them). */
        public String recordedHold;
        /** When the product last learned the status, an ISO-8601 instant. */
        public String updatedAt;
    }

    /**
     * An agent-API answer kept for an {@code Idempotency-Key}; {@code status} 0 while the first
     * request is still running (an in-progress marker, which expires: see {@code Idempotency}).
     */
    public static final class StoredAnswer {
        public int status;
        public String body;
        /** The worker whose key this is: a caller's keys are theirs alone, and are only ever evicted by their own. */
        public String by;
        /** A hash of the request's body: the same key with another body is refused, not answered. */
        public String fingerprint;
        /** When the request that holds the key began, an ISO-8601 instant: an in-progress marker expires from it. */
        public String startedAt;
    }

    /** Task states the record tracks, so that each task is moved on exactly once. */
    public static final String TASK_ASSIGNED = "assigned";
    public static final String TASK_ROUTING = "routing";
    public static final String TASK_WRAPPING = "wrapping";
    public static final String TASK_CANCELED = "canceled";
    public static final String TASK_COMPLETED = "completed";

    /** A pending effect: the customer is to be taken off hold (a transfer target joined, a transfer failed back to the agent). */
    public static final String EFFECT_UNHOLD_CUSTOMER = "unhold_customer";
    /** A pending effect: the caller waiting in the queue is to be moved into the conference (the agent joined after the whisper). */
    public static final String EFFECT_BRING_CUSTOMER = "bring_customer";
    /** A pending effect: the recording is to be paused or resumed as the record wants it (the agent, pause-on-hold). */
    public static final String EFFECT_SYNC_RECORDING = "sync_recording";

    public String taskSid;
    public String conferenceSid;
    /** {@code active} while the conference runs, {@code ended} after it. */
    public String status = "active";
    public String customerCallSid;
    /** The worker connected by the task's reservation, and their leg. */
    public String workerSid;
    public String agentCallSid;
    public Map<String, Leg> legs = new LinkedHashMap<>();
    public long endedSequence;
    /** The queue the call came through and the original task's attributes, which transfer tasks carry on. */
    public String queue;
    public Map<String, Object> callerAttributes;
    public Transfer transfer;
    /** The active warm transfer, or the last one (terminal), with its history. */
    public WarmTransfer warm;
    /** Answers already given to agent requests with an {@code Idempotency-Key}, by caller, route and key (each caller's newest few). */
    public Map<String, StoredAnswer> answers = new LinkedHashMap<>();
    /**
     * True when the conference instruction connected the call's own task, which TaskRouter moves to
     * wrapping when the conference ends; false when the product did (whisper), and wraps it itself.
     */
    public boolean ownTaskWrappedByTaskRouter = true;
    public Supervision supervisor;
    /** Every task of this call (the call's own and its transfer tasks) and its state: see the {@code TASK_*} values. */
    public Map<String, String> tasks = new LinkedHashMap<>();
    /** What the product did to this call on its own, newest last ({@link #AUDIT_ENTRIES} at most); null until the first entry. */
    public List<AuditEntry> audit;
    /** Set on the record of a transfer task: the call task whose record holds the call. */
    public String aliasOf;
    /**
     * For an ended call: when the reconciler found every one of its tasks moved on in TaskRouter
     * (or moved them). Until then the call stays in the live index, so that a wrap-up or a cancel
     * that failed when the call ended is made good.
     */
    public String settledAt;
    /**
     * Follow-ups of a conference event that failed and that nothing else would make good, for the
     * reconciler to send again: {@link #EFFECT_UNHOLD_CUSTOMER}, {@link #EFFECT_BRING_CUSTOMER}.
     * Null when there are none.
     */
    public List<String> pendingEffects;
    /**
     * Who ended the call ({@link CallReports}): {@code customer}, {@code agent}, {@code transfer_target},
     * {@code external_party}, {@code supervisor} or {@code product}; the first to be known wins. Null until then.
     */
    public String endedBy;
    /** The call's ended transfers, oldest first (the newest {@link CallReports#TRANSFERS_KEPT}); null until the first. */
    public List<TransferOutcome> transferLog;
    /** The tasks whose report is written in TaskRouter now that the call ended; null until the first. */
    public List<String> reportedTasks;
    /** The conference's recording, once the product has paused, resumed or looked for it; null before. */
    public Recording recording;
    /** Parties agents added to the call, newest last (see {@link Parties}); null until the first. */
    public List<AddedParty> parties;
    /** Optimistic-locking version, kept by the store (not part of the document). */
    @JsonIgnore
    public long version;

    public CallRecord() {
    }

    public CallRecord(String taskSid) {
        this.taskSid = taskSid;
    }

    /** Adds an entry to the audit trail, dropping the oldest beyond {@link #AUDIT_ENTRIES}. */
    public void audit(Instant at, String by, String event, String detail) {
        AuditEntry entry = new AuditEntry();
        entry.at = at.toString();
        entry.by = by;
        entry.event = event;
        entry.detail = detail;
        if (audit == null) {
            audit = new ArrayList<>();
        }
        audit.add(entry);
        while (audit.size() > AUDIT_ENTRIES) {
            audit.remove(0);
        }
    }

    /** Whether the reconciler still visits this call: it is running, or it ended and its tasks are not yet settled. */
    @JsonIgnore
    public boolean live() {
        return aliasOf == null && (!ended() || settledAt == null);
    }

    @JsonIgnore
    public boolean ended() {
        return "ended".equals(status);
    }

    /** The customer's leg, or null before it joined. */
    public Leg customer() {
        return customerCallSid == null ? null : legs.get(customerCallSid);
    }

    /** The connected agent's leg, or null when no agent is on the call. */
    public Leg agent() {
        Leg leg = agentCallSid == null ? null : legs.get(agentCallSid);
        return leg != null && leg.present ? leg : null;
    }

    /** Present legs in a role. */
    public List<Leg> present(Role role) {
        List<Leg> out = new ArrayList<>();
        legs.values().forEach(leg -> {
            if (leg.present && leg.role == role) {
                out.add(leg);
            }
        });
        return out;
    }

    /**
     * Applies an event; answers whether anything changed. Participant events older than what the
     * leg has seen are ignored, so duplicates and late deliveries are harmless.
     */
    public boolean apply(ConferenceEvent event) {
        return apply(event, null);
    }

    /** As {@link #apply(ConferenceEvent)}, stamping a hold that begins with {@code now} (null: not stamped). */
    public boolean apply(ConferenceEvent event, Instant now) {
        if (conferenceSid == null && event.neverJoined()) {
            // A leg that never connected says nothing of which conference the call is in, nor who is who.
            return false;
        }
        if (conferenceSid == null) {
            conferenceSid = event.conferenceSid();
        } else if (!conferenceSid.equals(event.conferenceSid())) {
            // An event of an earlier conference with the same name (the call was re-queued): not this one.
            return false;
        }
        if (!event.isParticipantEvent()) {
            if (event.type().equals("conference-end") && event.sequence() > endedSequence) {
                status = "ended";
                endedSequence = event.sequence();
                legs.values().forEach(leg -> leg.present = false);
                return true;
            }
            return false;
        }
        Leg leg = legs.get(event.callSid());
        if (leg == null) {
            leg = new Leg();
            leg.callSid = event.callSid();
            leg.label = event.label();
            leg.role = event.neverJoined() ? neverJoinedRole(event) : roleOf(event);
            if (leg.role == Role.AGENT && event.label() == null) {
                // The leg the conference instruction connected: the call's own task and worker.
                agentCallSid = event.callSid();
                leg.workerSid = workerSid;
                leg.taskSid = taskSid;
                tasks.putIfAbsent(taskSid, TASK_ASSIGNED);
            } else {
                leg.workerSid = Role.sidInLabel(event.label(), "WK");
                leg.taskSid = Role.sidInLabel(event.label(), "WT");
            }
            legs.put(leg.callSid, leg);
        }
        if (event.sequence() <= leg.sequence || (ended() && event.sequence() > endedSequence && event.type().equals("participant-join"))) {
            return false;
        }
        leg.sequence = event.sequence();
        switch (event.type()) {
            case "participant-join" -> {
                leg.present = !ended();
                copyState(leg, event, now);
            }
            case "participant-leave" -> {
                leg.present = false;
                if (event.neverJoined()) {
                    leg.unansweredStatus = event.unansweredStatus();
                }
            }
            default -> copyState(leg, event, now);
        }
        return true;
    }

    private static void copyState(Leg leg, ConferenceEvent event, Instant now) {
        leg.hold(event.hold(), now);
        leg.muted = event.muted();
        leg.coaching = event.coaching();
        leg.coachedCallSid = event.coaching() ? event.callSidToCoach() : null;
    }

    /** A leg that never connected is what its label says, and never the customer's or the agent TaskRouter connected. */
    private static Role neverJoinedRole(ConferenceEvent event) {
        Role labelled = Role.ofLabel(event.label());
        return labelled == null ? Role.OTHER : labelled;
    }

    private Role roleOf(ConferenceEvent event) {
        Role labelled = Role.ofLabel(event.label());
        if (labelled != null) {
            return labelled;
        }
        if (event.callSid().equals(customerCallSid)) {
            return Role.CUSTOMER;
        }
        // The conference instruction cannot label the worker's leg: the one unlabelled leg that is
        // not the customer's is the agent TaskRouter connected.
        if (event.label() == null && agentCallSid == null) {
            return Role.AGENT;
        }
        return Role.OTHER;
    }

    /** The record as the agent API shows it ({@link CallRecordView}). */
    public Map<String, Object> view() {
        return CallRecordView.of(this);
    }
}
