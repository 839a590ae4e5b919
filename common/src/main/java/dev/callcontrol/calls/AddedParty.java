package dev.callcontrol.calls;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Someone an agent added to a live call without holding the customer ({@code POST
 * /calls/{taskSid}/participants}): a worker, reached through a TaskRouter task as transfers are, or
 * an external number dialled into the conference. It lives in the call's record, claimed there
 * before Twilio is asked, so that the party limit holds however many requests race.
 */
public final class AddedParty {
    /** Claimed; the worker's task or the number's leg is being created. */
    public static final String STARTING = "starting";
    /** The worker's phone or the number rings (or the task waits for the worker). */
    public static final String RINGING = "ringing";
    /** On the call. */
    public static final String JOINED = "joined";
    /** Left the call: hung up, removed by an agent, or the call ended. */
    public static final String LEFT = "left";
    /** Never joined: not answered, declined, timed out, removed while ringing, or Twilio refused. */
    public static final String UNANSWERED = "unanswered";

    public String id;
    /** {@code worker} or {@code number}, and the worker SID or the number. */
    public String kind;
    public String to;
    /** The worker's task (worker) once created. */
    public String taskSid;
    /** The party's leg: the number's participant once dialled, the worker's once they joined. */
    public String callSid;
    /** For a number: the participant's label, recorded with the claim, by which the conference lists it. */
    public String label;
    public String state;
    /** Why it left or never joined, in a word: {@code hung_up}, {@code removed}, {@code call_ended}, {@code no_answer}, ... */
    public String reason;
    /** The agent who added the party, and the one who removed it. */
    public String addedBy;
    public String removedBy;
    /** ISO-8601 instants. */
    public String addedAt;
    public String endedAt;

    /** Whether the party takes a place on the call: on it, or on the way. */
    @JsonIgnore
    public boolean active() {
        return STARTING.equals(state) || RINGING.equals(state) || JOINED.equals(state);
    }

    /** Whether the party has not joined yet, and may still. */
    @JsonIgnore
    public boolean waiting() {
        return STARTING.equals(state) || RINGING.equals(state);
    }

    /** Ends the party: {@link #LEFT} once it had joined, {@link #UNANSWERED} before. */
    void end(String why, String at) {
        state = JOINED.equals(state) ? LEFT : UNANSWERED;
        reason = why;
        endedAt = at;
    }

    /** The party as the agent API shows it. */
    public Map<String, Object> view() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("partyId", id);
        out.put("kind", kind);
        out.put("to", to);
        out.put("state", state);
        out.put("reason", reason);
        out.put("taskSid", taskSid);
        out.put("callSid", callSid);
        out.put("addedBy", addedBy);
        out.put("removedBy", removedBy);
        out.put("addedAt", addedAt);
        out.put("endedAt", endedAt);
        return out;
    }
}
