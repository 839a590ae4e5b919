package dev.callcontrol.calls;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One warm transfer, as an explicit state machine: its state, the transitions allowed from each
 * state (in {@link #ALLOWED}, the one place that says so), why it ended, and an audit entry per
 * transition. It lives in the call's record, so every transition is persisted with the record's
 * conditional write: of two actors racing, one wins and the other sees the new state.
 */
public final class WarmTransfer {
    /** Where a warm transfer is. */
    public enum State {
        /** Claimed; the customer is being held and the target's task created. */
        INITIATED,
        /** The target is being reached (their phone rings, or the task waits in its queue). */
        RINGING,
        /** The target joined: the agents talk, the customer hears hold music. */
        CONSULTING,
        /** The customer is off hold with both agents. */
        THREE_WAY,
        /** The original agent left; customer and target stay one to one. */
        COMPLETED,
        /** Called off: by the agent, or because the customer hung up. */
        CANCELED,
        /** The target could not be reached or left; the customer is back with the original agent. */
        FAILED;

        public boolean terminal() {
            return this == COMPLETED || this == CANCELED || this == FAILED;
        }
    }

    /** Why a transfer reached its state (typed, so that reports can count them). */
    public enum Reason {
        STARTED, TARGET_RINGING, TARGET_JOINED, THREE_WAY, COMPLETED_BY_AGENT, CANCELED_BY_AGENT,
        DECLINED, NO_ANSWER, TIMEOUT, BUSY, TARGET_HUNG_UP, AGENT_HUNG_UP, CUSTOMER_HUNG_UP, TWILIO_ERROR,
        /** The call was ended for everyone (a hang-up through the API) while the transfer was under way. */
        CALL_ENDED,
        /** The customer had been held for {@code MAX_HOLD_SECONDS}: the watchdog brought them in with both agents. */
        HOLD_LIMIT;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Every transition a warm transfer may make; anything else is refused and changes nothing. */
    public static final Map<State, Set<State>> ALLOWED = Map.of(
            State.INITIATED, EnumSet.of(State.RINGING, State.FAILED, State.CANCELED),
            State.RINGING, EnumSet.of(State.CONSULTING, State.COMPLETED, State.FAILED, State.CANCELED),
            State.CONSULTING, EnumSet.of(State.THREE_WAY, State.COMPLETED, State.FAILED, State.CANCELED),
            State.THREE_WAY, EnumSet.of(State.COMPLETED, State.FAILED, State.CANCELED),
            State.COMPLETED, EnumSet.noneOf(State.class),
            State.CANCELED, EnumSet.noneOf(State.class),
            State.FAILED, EnumSet.noneOf(State.class));

    /** One transition, for the audit trail. */
    public static final class Audit {
        public String at;
        /** A worker SID, or {@code twilio} for transitions that Twilio's callbacks caused. */
        public String by;
        public State from;
        public State to;
        public Reason reason;
    }

    public String id;
    public State state;
    public Reason reason;
    /** {@code worker}, {@code queue} or {@code number}, and the worker SID, queue name or number. */
    public String target;
    public String to;
    /** The target's task (worker and queue), or the external leg (number), once they exist. */
    public String taskSid;
    public String callSid;
    /** The target's leg in the conference once they joined, and the worker who answered. */
    public String targetCallSid;
    public String targetWorkerSid;
    /** The agent who started it: their worker, their leg and their task. */
    public String fromWorkerSid;
    public String fromCallSid;
    public String fromTaskSid;
    /** The original agent hung up before the target joined: the target's join completes the transfer. */
    public boolean agentLeft;
    public List<Audit> history = new ArrayList<>();
    /** For a number: the label its participant is given, recorded with the claim, by which the conference lists it. */
    public String label;

    @JsonIgnore
    public boolean active() {
        return state != null && !state.terminal();
    }

    /** Whether the machine allows {@code next} from the current state. */
    public boolean allows(State next) {
        return ALLOWED.get(state).contains(next);
    }

    /** Moves to {@code next}, recording who and why; false (and no change) when the move is not allowed. */
    public boolean move(State next, Reason why, String by, Instant at) {
        if (state != null && !allows(next)) {
            return false;
        }
        Audit entry = new Audit();
        entry.at = at.toString();
        entry.by = by;
        entry.from = state;
        entry.to = next;
        entry.reason = why;
        history.add(entry);
        state = next;
        reason = why;
        return true;
    }

    /** The transfer as the agent API shows it. */
    public Map<String, Object> view() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("transferId", id);
        out.put("state", state);
        out.put("reason", reason == null ? null : reason.label());
        out.put("target", target);
        out.put("to", to);
        out.put("taskSid", taskSid);
        out.put("targetWorkerSid", targetWorkerSid);
        out.put("fromWorkerSid", fromWorkerSid);
        out.put("history", history.stream().map(a -> {
            Map<String, Object> entry = new java.util.LinkedHashMap<>();
            entry.put("at", a.at);
            entry.put("by", a.by);
            entry.put("from", a.from);
            entry.put("to", a.to);
            entry.put("reason", a.reason.label());
            return entry;
        }).toList());
        return out;
    }
}
