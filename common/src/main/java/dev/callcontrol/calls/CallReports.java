package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reporting on the task: who hung up and how each transfer came out, written into the attributes
 * of the call's TaskRouter tasks, where Flex Insights reads them (docs/decisions.md, "Reporting on
 * the task"). Each task is one segment of the call: {@code conversations.hang_up_by} says how that
 * segment ended (Flex Insights' Hang Up By, in the words Twilio's hang-up-by feature uses),
 * {@code conversations.followed_by} and {@code conversations.destination} what a transfer did with
 * it, and {@code call_control} the whole call: who ended it and every transfer's outcome.
 * <p>
 * The facts are kept in the call's record as they happen ({@link CallRecord#endedBy},
 * {@link CallRecord#transferLog}), in the same conditional writes as the changes they describe;
 * the reports are derived from the record and written when the call ends (before its tasks move
 * on), inside an agent's wrap-up when it completes their task (Flex Insights reads a task's
 * attributes as it completes, which may be long before the call ends), and again by the reconciler
 * until every task of an ended call has its report.
 */
final class CallReports {
    private static final Logger LOG = LoggerFactory.getLogger(CallReports.class);

    /** Who ended the call, as {@link CallRecord#endedBy} keeps it. */
    static final String CUSTOMER = "customer";
    static final String AGENT = "agent";
    static final String TRANSFER_TARGET = "transfer_target";
    static final String EXTERNAL_PARTY = "external_party";
    static final String SUPERVISOR = "supervisor";
    static final String PRODUCT = "product";

    /** The ended transfers a record keeps, so that it stays far below DynamoDB's item size. */
    static final int TRANSFERS_KEPT = 10;

    private final Telephony telephony;
    private final CallRecords records;

    CallReports(Ports ports) {
        this(ports.telephony(), ports.records());
    }

    CallReports(Telephony telephony, CallRecords records) {
        this.telephony = telephony;
        this.records = records;
    }

    // ------------------------------------------------------------------ facts, kept in the record's writes

    /** Who ended the call, when it is the first to be known and the call has not ended yet. */
    static void endedBy(CallRecord record, String by) {
        if (record.endedBy == null && !record.ended()) {
            record.endedBy = by;
        }
    }

    /** The call's cold transfer (or requeue) ended as {@code outcome}: kept in the log before the record lets it go. */
    static void coldEnded(CallRecord record, String outcome, String targetTaskSid, Instant now) {
        CallRecord.Transfer transfer = record.transfer;
        if (transfer == null) {
            return;
        }
        CallRecord.TransferOutcome out = new CallRecord.TransferOutcome();
        out.id = transfer.id;
        out.kind = transfer.fromWorkerSid == null ? "requeue" : "cold";
        out.target = transfer.target;
        out.to = transfer.to;
        out.fromTaskSid = transfer.fromTaskSid;
        out.targetTaskSid = targetTaskSid != null ? targetTaskSid : transfer.taskSid;
        out.outcome = outcome;
        out.targetJoined = "completed".equals(outcome);
        out.requeues = transfer.requeues;
        out.at = now.toString();
        log(record, out);
    }

    /** The call's warm transfer, once it is over, kept in the log (once: by its id). */
    static void warmEnded(CallRecord record) {
        WarmTransfer warm = record.warm;
        if (warm == null || warm.active() || warm.state == null || logged(record, warm.id)) {
            return;
        }
        CallRecord.TransferOutcome out = new CallRecord.TransferOutcome();
        out.id = warm.id;
        out.kind = "warm";
        out.target = warm.target;
        out.to = warm.to;
        out.fromTaskSid = warm.fromTaskSid;
        out.targetTaskSid = warm.taskSid;
        out.outcome = warm.state == WarmTransfer.State.COMPLETED ? "completed" : warm.reason == null ? warm.state.name().toLowerCase(java.util.Locale.ROOT)
                : warm.reason.label();
        out.targetJoined = warm.history.stream().anyMatch(a -> a.to == WarmTransfer.State.CONSULTING || a.to == WarmTransfer.State.THREE_WAY)
                || warm.state == WarmTransfer.State.COMPLETED;
        out.at = warm.history.isEmpty() ? null : warm.history.get(warm.history.size() - 1).at;
        log(record, out);
    }

    private static boolean logged(CallRecord record, String id) {
        return id != null && record.transferLog != null && record.transferLog.stream().anyMatch(t -> id.equals(t.id));
    }

    private static void log(CallRecord record, CallRecord.TransferOutcome outcome) {
        if (logged(record, outcome.id)) {
            return;
        }
        if (record.transferLog == null) {
            record.transferLog = new ArrayList<>();
        }
        record.transferLog.add(outcome);
        while (record.transferLog.size() > TRANSFERS_KEPT) {
            record.transferLog.remove(0);
        }
    }

    // ------------------------------------------------------------------ the reports, derived from the record

    /** What each task of the call gets in its attributes, by task SID. */
    static Map<String, Map<String, Object>> reports(CallRecord record) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> task : record.tasks.entrySet()) {
            out.put(task.getKey(), report(record, task.getKey(), task.getValue()));
        }
        return out;
    }

    /** One task's report: its segment's end in {@code conversations}, the call's in {@code call_control}. */
    static Map<String, Object> report(CallRecord record, String taskSid, String state) {
        Map<String, Object> conversations = new LinkedHashMap<>();
        CallRecord.TransferOutcome handedOver = handedOver(record, taskSid);
        if (handedOver != null) {
            boolean external = "number".equals(handedOver.target);
            boolean warm = "warm".equals(handedOver.kind);
            conversations.put("hang_up_by", (external ? "External " : "") + (warm ? "Warm Transfer" : "Cold Transfer"));
            conversations.put("followed_by", switch (handedOver.target) {
                case "worker" -> "Transfer to Agent";
                case "queue" -> "Transfer to Queue";
                default -> "External Transfer";
            });
            if (external) {
                conversations.put("destination", handedOver.to);
            }
        } else if (consulted(record, taskSid)) {
            conversations.put("hang_up_by", "Consult");
        } else if (record.ended() && !(CallRecord.TASK_CANCELED.equals(state) && !CUSTOMER.equals(record.endedBy))) {
            // The segment the call ended in, or a transfer the customer hung up on while it was routed to its target.
            String by = hangUpBy(record.endedBy);
            if (by != null) {
                conversations.put("hang_up_by", by);
            }
        }
        Map<String, Object> callControl = new LinkedHashMap<>();
        if (record.ended() && record.endedBy != null) {
            callControl.put("ended_by", record.endedBy);
        }
        List<Map<String, Object>> transfers = new ArrayList<>();
        if (record.transferLog != null) {
            record.transferLog.forEach(t -> transfers.add(view(t)));
        }
        if (record.transfer != null && record.transfer.fromTaskSid != null) {
            Map<String, Object> pending = new LinkedHashMap<>();
            pending.put("kind", "cold");
            pending.put("target", record.transfer.target);
            pending.put("to", record.transfer.to);
            pending.put("outcome", "in_progress");
            transfers.add(pending);
        }
        callControl.put("transfers", transfers);
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (!conversations.isEmpty()) {
            attributes.put("conversations", conversations);
        }
        attributes.put("call_control", callControl);
        return attributes;
    }

    /** Flex Insights' Hang Up By for the segment the call ended in. */
    static String hangUpBy(String endedBy) {
        if (endedBy == null) {
            return null;
        }
        return switch (endedBy) {
            case CUSTOMER -> "Customer";
            case AGENT, TRANSFER_TARGET -> "Agent";
            case EXTERNAL_PARTY -> "External Party";
            case SUPERVISOR -> "Supervisor";
            default -> "System";
        };
    }

    /** The transfer that took this task's agent off the call: a cold one (whatever became of it after) or a completed warm one. */
    private static CallRecord.TransferOutcome handedOver(CallRecord record, String taskSid) {
        CallRecord.TransferOutcome found = null;
        if (record.transferLog != null) {
            for (CallRecord.TransferOutcome t : record.transferLog) {
                boolean agentLeft = "cold".equals(t.kind) ? !"undone".equals(t.outcome) : "warm".equals(t.kind) && "completed".equals(t.outcome);
                if (taskSid.equals(t.fromTaskSid) && agentLeft) {
                    found = t;
                }
            }
        }
        CallRecord.Transfer pending = record.transfer;
        if (pending != null && taskSid.equals(pending.fromTaskSid) && "routing".equals(pending.state)) {
            CallRecord.TransferOutcome now = new CallRecord.TransferOutcome();
            now.kind = "cold";
            now.target = pending.target;
            now.to = pending.to;
            found = now;
        }
        return found;
    }

    /** A warm transfer's target who joined to consult and left without the call being handed to them. */
    private static boolean consulted(CallRecord record, String taskSid) {
        return record.transferLog != null && record.transferLog.stream().anyMatch(t -> "warm".equals(t.kind) && taskSid.equals(t.targetTaskSid)
                && t.targetJoined && !"completed".equals(t.outcome));
    }

    private static Map<String, Object> view(CallRecord.TransferOutcome t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", t.kind);
        out.put("target", t.target);
        out.put("to", t.to);
        out.put("outcome", t.outcome);
        if (t.requeues > 0) {
            out.put("requeues", t.requeues);
        }
        out.put("at", t.at);
        return out;
    }

    // ------------------------------------------------------------------ writing them

    /**
     * Writes the report of every task of an ended call that does not have it yet, and records which
     * have it. Answers whether every task has its report now (false leaves the rest to the next try,
     * the reconciler's). Two requests a task.
     */
    boolean writeFinal(CallRecord record) {
        if (!record.ended()) {
            return true;
        }
        List<String> written = new ArrayList<>();
        boolean all = true;
        for (Map.Entry<String, Map<String, Object>> report : reports(record).entrySet()) {
            String task = report.getKey();
            if (record.reportedTasks != null && record.reportedTasks.contains(task)) {
                continue;
            }
            if (FollowUps.attempt("reporting the call's end on task " + task, () -> telephony.addTaskAttributes(task, report.getValue()))) {
                written.add(task);
            } else {
                all = false;
            }
        }
        if (!written.isEmpty()) {
            FollowUps.quietly("recording the tasks reported", () -> records.update(record.taskSid, () -> record, r -> {
                if (r.reportedTasks == null) {
                    r.reportedTasks = new ArrayList<>();
                }
                boolean changed = false;
                for (String task : written) {
                    if (!r.reportedTasks.contains(task)) {
                        r.reportedTasks.add(task);
                        changed = true;
                    }
                }
                return changed;
            }));
            LOG.info("Reported the call's end on {} task(s): ended by {}", written.size(), record.endedBy);
        }
        return all;
    }

    /**
     * A caller who hung up before any agent took their call (TaskRouter canceled its task): the task
     * gets {@code hang_up_by} Customer. Under a reading of TaskRouter in which a canceled task takes no
     * attributes this is refused and only logged; Flex Insights counts the abandon from
     * {@code task.canceled} either way (docs/decisions.md, "Reporting on the task").
     */
    void abandoned(String taskSid) {
        Map<String, Object> conversations = new LinkedHashMap<>();
        conversations.put("hang_up_by", "Customer");
        Map<String, Object> callControl = new LinkedHashMap<>();
        callControl.put("ended_by", CUSTOMER);
        callControl.put("abandoned", true);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("conversations", conversations);
        attributes.put("call_control", callControl);
        boolean[] written = new boolean[1];
        if (FollowUps.attempt("reporting the abandoned call on task " + taskSid, () -> written[0] = telephony.addTaskAttributes(taskSid, attributes))) {
            LOG.info("Caller hung up before an agent took the call{}", written[0] ? "; reported on the task" : "; TaskRouter took no report on the canceled task");
        }
    }

    /** Whether every task of an ended call has its report. */
    static boolean reported(CallRecord record) {
        return record.tasks.keySet().stream().allMatch(task -> record.reportedTasks != null && record.reportedTasks.contains(task));
    }
}
