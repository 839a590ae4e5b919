package dev.callcontrol.calls;

import com.fasterxml.jackson.annotation.JsonIgnore;

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
        public long sequence;
    }

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
    /** Optimistic-locking version, kept by the store (not part of the document). */
    @JsonIgnore
    public long version;

    public CallRecord() {
    }

    public CallRecord(String taskSid) {
        this.taskSid = taskSid;
    }

    @JsonIgnore
    public boolean ended() {
        return "ended".equals(status);
    }

    /** The customer's leg, or null before it joined. */
    public Leg customer() {
        return customerCallSid == null ? null : legs.get(customerCallSid);
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
            leg.role = roleOf(event);
            if (leg.role == Role.AGENT && agentCallSid == null) {
                agentCallSid = event.callSid();
                leg.workerSid = workerSid;
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
                copyState(leg, event);
            }
            case "participant-leave" -> leg.present = false;
            default -> copyState(leg, event);
        }
        return true;
    }

    private static void copyState(Leg leg, ConferenceEvent event) {
        leg.hold = event.hold();
        leg.muted = event.muted();
        leg.coaching = event.coaching();
        leg.coachedCallSid = event.coaching() ? event.callSidToCoach() : null;
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

    /** The record as the agent API shows it. */
    public Map<String, Object> view() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("taskSid", taskSid);
        out.put("conferenceSid", conferenceSid);
        out.put("status", status);
        Leg customer = customer();
        out.put("hold", customer != null && customer.hold);
        out.put("customer", customer == null ? null : legView(customer));
        Leg agent = agentCallSid == null ? null : legs.get(agentCallSid);
        Map<String, Object> agentView = agent == null ? new LinkedHashMap<>() : legView(agent);
        agentView.put("workerSid", workerSid);
        out.put("agent", agentView);
        List<Leg> supervisors = present(Role.SUPERVISOR);
        out.put("supervisor", supervisors.isEmpty() ? null : legView(supervisors.get(0)));
        out.put("transfer", null);
        out.put("participants", legs.values().stream().filter(leg -> leg.present).map(CallRecord::legView).toList());
        return out;
    }

    private static Map<String, Object> legView(Leg leg) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("role", leg.role.label());
        out.put("callSid", leg.callSid);
        out.put("present", leg.present);
        out.put("hold", leg.hold);
        out.put("muted", leg.muted);
        out.put("coaching", leg.coaching);
        if (leg.workerSid != null) {
            out.put("workerSid", leg.workerSid);
        }
        return out;
    }
}
