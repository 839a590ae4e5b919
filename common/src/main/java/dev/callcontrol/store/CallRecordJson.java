package dev.callcontrol.store;

import dev.callcontrol.calls.AddedParty;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.Role;
import dev.callcontrol.calls.WarmTransfer;
import dev.callcontrol.http.JsonValues;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The call record's stored document, written and read field by field through Jackson's streaming
 * parser and generator ({@link JsonValues}) instead of the object mapper, whose start (building it
 * and binding its first class) is about a tenth of a second of an agent function's cold start
 * (docs/performance.md). The document is the one the mapper wrote, byte for byte, so records
 * written before and after this class read the same (a test checks both ways): fields in their
 * declared order, a field or map entry that is null left out, enums by name, the version not in it.
 * Reading ignores fields it does not know and refuses a null where a number or a boolean belongs;
 * unlike the mapper, it also refuses a value of another type (a string for a number, say), which the
 * product never writes.
 */
public final class CallRecordJson {
    private CallRecordJson() {
    }

    public static String write(CallRecord record) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("taskSid", record.taskSid);
        doc.put("conferenceSid", record.conferenceSid);
        doc.put("status", record.status);
        doc.put("customerCallSid", record.customerCallSid);
        doc.put("workerSid", record.workerSid);
        doc.put("agentCallSid", record.agentCallSid);
        doc.put("legs", record.legs == null ? null : mapValues(record.legs, CallRecordJson::leg));
        doc.put("endedSequence", record.endedSequence);
        doc.put("queue", record.queue);
        doc.put("callerAttributes", record.callerAttributes);
        doc.put("transfer", record.transfer == null ? null : transfer(record.transfer));
        doc.put("warm", record.warm == null ? null : warm(record.warm));
        doc.put("answers", record.answers == null ? null : mapValues(record.answers, CallRecordJson::answer));
        doc.put("ownTaskWrappedByTaskRouter", record.ownTaskWrappedByTaskRouter);
        doc.put("supervisor", record.supervisor == null ? null : supervision(record.supervisor));
        doc.put("tasks", record.tasks);
        doc.put("audit", record.audit == null ? null : record.audit.stream().map(CallRecordJson::auditEntry).toList());
        doc.put("aliasOf", record.aliasOf);
        doc.put("settledAt", record.settledAt);
        doc.put("pendingEffects", record.pendingEffects);
        doc.put("endedBy", record.endedBy);
        doc.put("transferLog", record.transferLog == null ? null : record.transferLog.stream().map(CallRecordParts::outcome).toList());
        doc.put("reportedTasks", record.reportedTasks);
        doc.put("recording", record.recording == null ? null : CallRecordParts.recording(record.recording));
        doc.put("parties", record.parties == null ? null : record.parties.stream().map(CallRecordParts::party).toList());
        return JsonValues.writeWithoutNulls(doc);
    }

    /** The record in {@code text}; an {@link IllegalArgumentException} when it is not a call record's document. */
    public static CallRecord read(String text) {
        Object parsed;
        try {
            parsed = JsonValues.parse(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not one JSON document", e);
        }
        Fields doc = Fields.of(parsed, "the record");
        CallRecord record = new CallRecord();
        record.taskSid = doc.text("taskSid", record.taskSid);
        record.conferenceSid = doc.text("conferenceSid", record.conferenceSid);
        record.status = doc.text("status", record.status);
        record.customerCallSid = doc.text("customerCallSid", record.customerCallSid);
        record.workerSid = doc.text("workerSid", record.workerSid);
        record.agentCallSid = doc.text("agentCallSid", record.agentCallSid);
        record.legs = doc.map("legs", record.legs, value -> readLeg(Fields.of(value, "a leg")));
        record.endedSequence = doc.whole("endedSequence", record.endedSequence);
        record.queue = doc.text("queue", record.queue);
        record.callerAttributes = doc.map("callerAttributes", record.callerAttributes, value -> value);
        record.transfer = doc.object("transfer", record.transfer, CallRecordJson::readTransfer);
        record.warm = doc.object("warm", record.warm, CallRecordJson::readWarm);
        record.answers = doc.map("answers", record.answers, value -> readAnswer(Fields.of(value, "an answer")));
        record.ownTaskWrappedByTaskRouter = doc.bool("ownTaskWrappedByTaskRouter", record.ownTaskWrappedByTaskRouter);
        record.supervisor = doc.object("supervisor", record.supervisor, CallRecordJson::readSupervision);
        record.tasks = doc.map("tasks", record.tasks, value -> Fields.text(value, "a task's state"));
        record.audit = doc.list("audit", record.audit, value -> readAuditEntry(Fields.of(value, "an audit entry")));
        record.aliasOf = doc.text("aliasOf", record.aliasOf);
        record.settledAt = doc.text("settledAt", record.settledAt);
        record.pendingEffects = doc.list("pendingEffects", record.pendingEffects, value -> Fields.text(value, "a pending effect"));
        record.endedBy = doc.text("endedBy", record.endedBy);
        record.transferLog = doc.list("transferLog", record.transferLog, value -> CallRecordParts.readOutcome(Fields.of(value, "a transfer's outcome")));
        record.reportedTasks = doc.list("reportedTasks", record.reportedTasks, value -> Fields.text(value, "a reported task"));
        record.recording = doc.object("recording", record.recording, CallRecordParts::readRecording);
        record.parties = doc.list("parties", record.parties, value -> CallRecordParts.readParty(Fields.of(value, "a party")));
        return record;
    }

    private static Map<String, Object> leg(CallRecord.Leg leg) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("callSid", leg.callSid);
        out.put("role", leg.role);
        out.put("label", leg.label);
        out.put("workerSid", leg.workerSid);
        out.put("present", leg.present);
        out.put("hold", leg.hold);
        out.put("muted", leg.muted);
        out.put("coaching", leg.coaching);
        out.put("coachedCallSid", leg.coachedCallSid);
        out.put("taskSid", leg.taskSid);
        out.put("sequence", leg.sequence);
        out.put("unansweredStatus", leg.unansweredStatus);
        out.put("heldSince", leg.heldSince);
        return out;
    }

    private static CallRecord.Leg readLeg(Fields in) {
        CallRecord.Leg leg = new CallRecord.Leg();
        leg.callSid = in.text("callSid", leg.callSid);
        leg.role = in.constant("role", Role.class, leg.role);
        leg.label = in.text("label", leg.label);
        leg.workerSid = in.text("workerSid", leg.workerSid);
        leg.present = in.bool("present", leg.present);
        leg.hold = in.bool("hold", leg.hold);
        leg.muted = in.bool("muted", leg.muted);
        leg.coaching = in.bool("coaching", leg.coaching);
        leg.coachedCallSid = in.text("coachedCallSid", leg.coachedCallSid);
        leg.taskSid = in.text("taskSid", leg.taskSid);
        leg.sequence = in.whole("sequence", leg.sequence);
        leg.unansweredStatus = in.text("unansweredStatus", leg.unansweredStatus);
        leg.heldSince = in.text("heldSince", leg.heldSince);
        return leg;
    }

    private static Map<String, Object> transfer(CallRecord.Transfer transfer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", transfer.state);
        out.put("target", transfer.target);
        out.put("to", transfer.to);
        out.put("taskSid", transfer.taskSid);
        out.put("callSid", transfer.callSid);
        out.put("fromWorkerSid", transfer.fromWorkerSid);
        out.put("fallbackQueue", transfer.fallbackQueue);
        out.put("requeues", transfer.requeues);
        out.put("startedAt", transfer.startedAt);
        out.put("id", transfer.id);
        out.put("label", transfer.label);
        out.put("fromTaskSid", transfer.fromTaskSid);
        return out;
    }



    private static CallRecord.Transfer readTransfer(Fields in) {
        CallRecord.Transfer transfer = new CallRecord.Transfer();
        transfer.state = in.text("state", transfer.state);
        transfer.target = in.text("target", transfer.target);
        transfer.to = in.text("to", transfer.to);
        transfer.taskSid = in.text("taskSid", transfer.taskSid);
        transfer.callSid = in.text("callSid", transfer.callSid);
        transfer.fromWorkerSid = in.text("fromWorkerSid", transfer.fromWorkerSid);
        transfer.fallbackQueue = in.text("fallbackQueue", transfer.fallbackQueue);
        transfer.requeues = in.integer("requeues", transfer.requeues);
        transfer.startedAt = in.text("startedAt", transfer.startedAt);
        transfer.id = in.text("id", transfer.id);
        transfer.label = in.text("label", transfer.label);
        transfer.fromTaskSid = in.text("fromTaskSid", transfer.fromTaskSid);
        return transfer;
    }



    private static Map<String, Object> supervision(CallRecord.Supervision supervision) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workerSid", supervision.workerSid);
        out.put("mode", supervision.mode);
        out.put("state", supervision.state);
        out.put("callSid", supervision.callSid);
        return out;
    }

    private static CallRecord.Supervision readSupervision(Fields in) {
        CallRecord.Supervision supervision = new CallRecord.Supervision();
        supervision.workerSid = in.text("workerSid", supervision.workerSid);
        supervision.mode = in.text("mode", supervision.mode);
        supervision.state = in.text("state", supervision.state);
        supervision.callSid = in.text("callSid", supervision.callSid);
        return supervision;
    }



    private static Map<String, Object> answer(CallRecord.StoredAnswer answer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", answer.status);
        out.put("body", answer.body);
        out.put("by", answer.by);
        out.put("fingerprint", answer.fingerprint);
        out.put("startedAt", answer.startedAt);
        return out;
    }

    private static CallRecord.StoredAnswer readAnswer(Fields in) {
        CallRecord.StoredAnswer answer = new CallRecord.StoredAnswer();
        answer.status = in.integer("status", answer.status);
        answer.body = in.text("body", answer.body);
        answer.by = in.text("by", answer.by);
        answer.fingerprint = in.text("fingerprint", answer.fingerprint);
        answer.startedAt = in.text("startedAt", answer.startedAt);
        return answer;
    }

    private static Map<String, Object> warm(WarmTransfer warm) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", warm.id);
        out.put("state", warm.state);
        out.put("reason", warm.reason);
        out.put("target", warm.target);
        out.put("to", warm.to);
        out.put("taskSid", warm.taskSid);
        out.put("callSid", warm.callSid);
        out.put("targetCallSid", warm.targetCallSid);
        out.put("targetWorkerSid", warm.targetWorkerSid);
        out.put("fromWorkerSid", warm.fromWorkerSid);
        out.put("fromCallSid", warm.fromCallSid);
        out.put("fromTaskSid", warm.fromTaskSid);
        out.put("agentLeft", warm.agentLeft);
        out.put("history", warm.history == null ? null : warm.history.stream().map(CallRecordJson::audit).toList());
        out.put("label", warm.label);
        return out;
    }

    private static WarmTransfer readWarm(Fields in) {
        WarmTransfer warm = new WarmTransfer();
        warm.id = in.text("id", warm.id);
        warm.state = in.constant("state", WarmTransfer.State.class, warm.state);
        warm.reason = in.constant("reason", WarmTransfer.Reason.class, warm.reason);
        warm.target = in.text("target", warm.target);
        warm.to = in.text("to", warm.to);
        warm.taskSid = in.text("taskSid", warm.taskSid);
        warm.callSid = in.text("callSid", warm.callSid);
        warm.targetCallSid = in.text("targetCallSid", warm.targetCallSid);
        warm.targetWorkerSid = in.text("targetWorkerSid", warm.targetWorkerSid);
        warm.fromWorkerSid = in.text("fromWorkerSid", warm.fromWorkerSid);
        warm.fromCallSid = in.text("fromCallSid", warm.fromCallSid);
        warm.fromTaskSid = in.text("fromTaskSid", warm.fromTaskSid);
        warm.agentLeft = in.bool("agentLeft", warm.agentLeft);
        warm.history = in.list("history", warm.history, value -> readAudit(Fields.of(value, "an audit entry")));
        warm.label = in.text("label", warm.label);
        return warm;
    }

    private static Map<String, Object> audit(WarmTransfer.Audit audit) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("at", audit.at);
        out.put("by", audit.by);
        out.put("from", audit.from);
        out.put("to", audit.to);
        out.put("reason", audit.reason);
        return out;
    }

    private static WarmTransfer.Audit readAudit(Fields in) {
        WarmTransfer.Audit audit = new WarmTransfer.Audit();
        audit.at = in.text("at", audit.at);
        audit.by = in.text("by", audit.by);
        audit.from = in.constant("from", WarmTransfer.State.class, audit.from);
        audit.to = in.constant("to", WarmTransfer.State.class, audit.to);
        audit.reason = in.constant("reason", WarmTransfer.Reason.class, audit.reason);
        return audit;
    }

    private static Map<String, Object> auditEntry(CallRecord.AuditEntry entry) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("at", entry.at);
        out.put("by", entry.by);
        out.put("event", entry.event);
        out.put("detail", entry.detail);
        return out;
    }

    private static CallRecord.AuditEntry readAuditEntry(Fields in) {
        CallRecord.AuditEntry entry = new CallRecord.AuditEntry();
        entry.at = in.text("at", entry.at);
        entry.by = in.text("by", entry.by);
        entry.event = in.text("event", entry.event);
        entry.detail = in.text("detail", entry.detail);
        return entry;
    }

    private static <V> Map<String, Object> mapValues(Map<String, V> map, Function<V, Map<String, Object>> write) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((key, value) -> out.put(key, value == null ? null : write.apply(value)));
        return out;
    }

    /**
     * One object of the document. A field that is absent keeps the Java default; a field that is
     * null sets an object field to null and is refused for a number or a boolean.
     */
    record Fields(Map<?, ?> fields, String what) {
        static Fields of(Object value, String what) {
            if (!(value instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(what + " is not a JSON object");
            }
            return new Fields(map, what);
        }

        static String text(Object value, String what) {
            if (value != null && !(value instanceof String)) {
                throw new IllegalArgumentException(what + " is not a string");
            }
            return (String) value;
        }

        String text(String name, String absent) {
            return fields.containsKey(name) ? text(fields.get(name), name) : absent;
        }

        boolean bool(String name, boolean absent) {
            if (!fields.containsKey(name)) {
                return absent;
            }
            if (!(fields.get(name) instanceof Boolean value)) {
                throw new IllegalArgumentException(name + " is not a boolean");
            }
            return value;
        }

        long whole(String name, long absent) {
            if (!fields.containsKey(name)) {
                return absent;
            }
            Object value = fields.get(name);
            if (!(value instanceof Integer) && !(value instanceof Long)) {
                throw new IllegalArgumentException(name + " is not a whole number");
            }
            return ((Number) value).longValue();
        }

        int integer(String name, int absent) {
            long value = whole(name, absent);
            if (value != (int) value) {
                throw new IllegalArgumentException(name + " is out of range: " + value);
            }
            return (int) value;
        }

        <E extends Enum<E>> E constant(String name, Class<E> type, E absent) {
            String value = text(name, null);
            if (value == null) {
                return fields.containsKey(name) ? null : absent;
            }
            try {
                return Enum.valueOf(type, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " is not a known " + type.getSimpleName() + ": " + value, e);
            }
        }

        <T> T object(String name, T absent, Function<Fields, T> read) {
            if (!fields.containsKey(name)) {
                return absent;
            }
            Object value = fields.get(name);
            return value == null ? null : read.apply(of(value, name));
        }

        @SuppressWarnings("unchecked")
        <V> Map<String, V> map(String name, Map<String, V> absent, Function<Object, V> read) {
            if (!fields.containsKey(name)) {
                return absent;
            }
            Object value = fields.get(name);
            if (value == null) {
                return null;
            }
            Map<String, V> out = new LinkedHashMap<>();
            ((Map<String, Object>) of(value, name).fields).forEach((key, item) -> out.put(key, item == null ? null : read.apply(item)));
            return out;
        }

        <V> List<V> list(String name, List<V> absent, Function<Object, V> read) {
            if (!fields.containsKey(name)) {
                return absent;
            }
            Object value = fields.get(name);
            if (value == null) {
                return null;
            }
            if (!(value instanceof List<?> items)) {
                throw new IllegalArgumentException(name + " is not a JSON array");
            }
            List<V> out = new ArrayList<>();
            items.forEach(item -> out.add(item == null ? null : read.apply(item)));
            return out;
        }
    }
}
