package dev.callcontrol.store;

import dev.callcontrol.calls.AddedParty;
import dev.callcontrol.calls.CallRecord;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parts of the call record's stored document that later flows added, written and read field
 * by field as {@link CallRecordJson} does the rest: a transfer's outcome (the task reports), the
 * conference's recording, and the parties agents added.
 */
final class CallRecordParts {
    private CallRecordParts() {
    }

    static Map<String, Object> outcome(CallRecord.TransferOutcome outcome) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", outcome.id);
        out.put("kind", outcome.kind);
        out.put("target", outcome.target);
        out.put("to", outcome.to);
        out.put("fromTaskSid", outcome.fromTaskSid);
        out.put("targetTaskSid", outcome.targetTaskSid);
        out.put("outcome", outcome.outcome);
        out.put("targetJoined", outcome.targetJoined);
        out.put("requeues", outcome.requeues);
        out.put("at", outcome.at);
        return out;
    }

    static CallRecord.TransferOutcome readOutcome(CallRecordJson.Fields in) {
        CallRecord.TransferOutcome outcome = new CallRecord.TransferOutcome();
        outcome.id = in.text("id", outcome.id);
        outcome.kind = in.text("kind", outcome.kind);
        outcome.target = in.text("target", outcome.target);
        outcome.to = in.text("to", outcome.to);
        outcome.fromTaskSid = in.text("fromTaskSid", outcome.fromTaskSid);
        outcome.targetTaskSid = in.text("targetTaskSid", outcome.targetTaskSid);
        outcome.outcome = in.text("outcome", outcome.outcome);
        outcome.targetJoined = in.bool("targetJoined", outcome.targetJoined);
        outcome.requeues = in.integer("requeues", outcome.requeues);
        outcome.at = in.text("at", outcome.at);
        return outcome;
    }

    static Map<String, Object> party(AddedParty party) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", party.id);
        out.put("kind", party.kind);
        out.put("to", party.to);
        out.put("taskSid", party.taskSid);
        out.put("callSid", party.callSid);
        out.put("label", party.label);
        out.put("state", party.state);
        out.put("reason", party.reason);
        out.put("addedBy", party.addedBy);
        out.put("removedBy", party.removedBy);
        out.put("addedAt", party.addedAt);
        out.put("endedAt", party.endedAt);
        return out;
    }

    static AddedParty readParty(CallRecordJson.Fields in) {
        AddedParty party = new AddedParty();
        party.id = in.text("id", party.id);
        party.kind = in.text("kind", party.kind);
        party.to = in.text("to", party.to);
        party.taskSid = in.text("taskSid", party.taskSid);
        party.callSid = in.text("callSid", party.callSid);
        party.label = in.text("label", party.label);
        party.state = in.text("state", party.state);
        party.reason = in.text("reason", party.reason);
        party.addedBy = in.text("addedBy", party.addedBy);
        party.removedBy = in.text("removedBy", party.removedBy);
        party.addedAt = in.text("addedAt", party.addedAt);
        party.endedAt = in.text("endedAt", party.endedAt);
        return party;
    }

    static Map<String, Object> recording(CallRecord.Recording recording) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sid", recording.sid);
        out.put("status", recording.status);
        out.put("pausedByAgent", recording.pausedByAgent);
        out.put("recordedHold", recording.recordedHold);
        out.put("updatedAt", recording.updatedAt);
        return out;
    }

    static CallRecord.Recording readRecording(CallRecordJson.Fields in) {
        CallRecord.Recording recording = new CallRecord.Recording();
        recording.sid = in.text("sid", recording.sid);
        recording.status = in.text("status", recording.status);
        recording.pausedByAgent = in.bool("pausedByAgent", recording.pausedByAgent);
        recording.recordedHold = in.text("recordedHold", recording.recordedHold);
        recording.updatedAt = in.text("updatedAt", recording.updatedAt);
        return recording;
    }
}
