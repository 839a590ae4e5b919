package dev.callcontrol.calls;

import java.util.Set;
import java.util.TreeSet;

/**
 * Which workers a call is theirs to list ({@code GET /calls}): kept on the call's stored record so
 * that an agent's calls are found by worker, never by scanning the live calls.
 *
 * <p>While the call runs: the agent connected to it, every agent or transfer leg in the conference
 * with a worker, and both sides of a transfer under way (the transferring agent, and the target
 * when it is a worker; a queue's worker is known once they join). Once the call has ended, while
 * its tasks are not yet settled, the agent whose task it is, who still has its wrap-up to do.
 * Nobody once the call is no longer live ({@link CallRecord#live}).
 */
public final class Involvement {
    private Involvement() {
    }

    /** The worker SIDs, sorted. */
    public static Set<String> workers(CallRecord call) {
        Set<String> out = new TreeSet<>();
        if (!call.live()) {
            return out;
        }
        if (call.ended()) {
            add(out, call.workerSid);
            return out;
        }
        if (call.agent() != null) {
            add(out, call.workerSid);
        }
        for (CallRecord.Leg leg : call.legs.values()) {
            if (leg.present && (leg.role == Role.AGENT || leg.role == Role.TRANSFER)) {
                add(out, leg.workerSid);
            }
        }
        CallRecord.Transfer cold = call.transfer;
        if (cold != null) {
            add(out, cold.fromWorkerSid);
            if ("worker".equals(cold.target)) {
                add(out, cold.to);
            }
        }
        WarmTransfer warm = call.warm;
        if (warm != null && warm.active()) {
            add(out, warm.fromWorkerSid);
            add(out, warm.targetWorkerSid);
            if ("worker".equals(warm.target)) {
                add(out, warm.to);
            }
        }
        return out;
    }

    private static void add(Set<String> out, String workerSid) {
        if (workerSid != null && workerSid.startsWith("WK")) {
            out.add(workerSid);
        }
    }
}
