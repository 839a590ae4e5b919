package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.http.HttpError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * After-contact work: the agent whose task is in wrap-up ends it with a disposition and notes. The
 * task is completed in TaskRouter with the disposition in its attributes ({@code wrap_up}), where
 * reports read it, and the call's audit trail keeps it. {@code WRAP_UP_SECONDS} completes a wrap-up
 * the agent never ends (the reconciler, {@link Reconciler}); {@code WRAP_UP_DISPOSITIONS} limits the
 * dispositions to a list.
 */
final class WrapUp {
    private static final Logger LOG = LoggerFactory.getLogger(WrapUp.class);
    /** The disposition of a wrap-up the time limit ended. */
    static final String TIMED_OUT = "timed_out";
    static final int MAX_NOTES = 2_000;

    private final Ports ports;
    private final CallLookup lookup;

    WrapUp(Ports ports, CallLookup lookup) {
        this.ports = ports;
        this.lookup = lookup;
    }

    /** What the agent says of the call as they end their wrap-up. */
    record Disposition(String disposition, String notes) {
    }

    CallRecord complete(String taskSid, Principal principal, Disposition said, List<String> allowed) {
        if (said.disposition() == null || !said.disposition().matches("^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")) {
            throw HttpError.badRequest("disposition must be 1 to 64 letters, digits, spaces, '_', '.' or '-'");
        }
        if (!allowed.isEmpty() && !allowed.contains(said.disposition())) {
            throw HttpError.badRequest("disposition must be one of " + String.join(", ", allowed));
        }
        if (said.notes() != null && said.notes().length() > MAX_NOTES) {
            throw HttpError.badRequest("notes must be at most " + MAX_NOTES + " characters");
        }
        CallRecord call = lookup.anyCall(taskSid);
        boolean wasOnIt = principal.workerSid().equals(call.workerSid)
                || call.legs.values().stream().anyMatch(leg -> principal.workerSid().equals(leg.workerSid) && leg.taskSid != null);
        if (!wasOnIt) {
            throw CallControlException.forbidden("only an agent who took this call may wrap it up");
        }
        String task = wrappingTaskOf(call, principal.workerSid());
        if (task == null) {
            throw CallControlException.conflict("not_wrapping", "you have no task of this call in wrap-up");
        }
        Map<String, Object> wrapUp = new LinkedHashMap<>();
        wrapUp.put("disposition", said.disposition());
        if (said.notes() != null && !said.notes().isBlank()) {
            wrapUp.put("notes", said.notes());
        }
        wrapUp.put("by", principal.workerSid());
        // TaskRouter first: a write that fails after it leaves the record saying wrapping, which a repeat (or the reconciler) corrects.
        // The task's report goes with it: a report written beside the completion could be lost to it, both merging what they read.
        Map<String, Object> added = new LinkedHashMap<>(CallReports.report(call, task, call.tasks.get(task)));
        added.put("wrap_up", wrapUp);
        boolean completed = ports.telephony().completeTask(task, added, "wrap-up: " + said.disposition());
        Instant now = ports.clock().instant();
        CallRecord written = ports.records().update(call.taskSid, () -> call, r -> {
            if (!CallRecord.TASK_WRAPPING.equals(r.tasks.get(task))) {
                return false;
            }
            r.tasks.put(task, CallRecord.TASK_COMPLETED);
            r.audit(now, principal.workerSid(), "wrap_up", "task " + task + " completed: " + said.disposition());
            return true;
        }).orElse(call);
        if (!completed) {
            LOG.info("Task {} was already completed in TaskRouter; the record now says so", task);
        } else {
            LOG.info("Wrap-up ended by the agent: {}", said.disposition());
        }
        return written;
    }

    /** The principal's task of this call that the record says is in wrap-up, or null. */
    private static String wrappingTaskOf(CallRecord call, String workerSid) {
        for (CallRecord.Leg leg : call.legs.values()) {
            if (workerSid.equals(leg.workerSid) && leg.taskSid != null && CallRecord.TASK_WRAPPING.equals(call.tasks.get(leg.taskSid))) {
                return leg.taskSid;
            }
        }
        return null;
    }
}
