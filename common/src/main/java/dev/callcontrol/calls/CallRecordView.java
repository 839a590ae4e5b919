package dev.callcontrol.calls;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A call's record as the agent API shows it ({@code GET /calls/{taskSid}}, {@code GET /calls}, and every command's answer). */
final class CallRecordView {
    private CallRecordView() {
    }

    /** The record as the agent API shows it. */
    static Map<String, Object> of(CallRecord record) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("taskSid", record.taskSid);
        out.put("conferenceSid", record.conferenceSid);
        out.put("status", record.status);
        CallRecord.Leg customer = record.customer();
        out.put("hold", customer != null && customer.hold);
        out.put("customer", customer == null ? null : legView(customer));
        CallRecord.Leg agent = record.agent();
        Map<String, Object> agentView = agent == null ? new LinkedHashMap<>() : legView(agent);
        agentView.put("workerSid", record.workerSid);
        out.put("agent", agentView);
        if (record.supervisor != null) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("workerSid", record.supervisor.workerSid);
            view.put("mode", record.supervisor.mode);
            view.put("state", record.supervisor.state);
            view.put("callSid", record.supervisor.callSid);
            out.put("supervisor", view);
        }
        out.put("transfer", record.transfer == null ? null : transferView(record.transfer));
        if (record.warm != null && record.warm.active()) {
            out.put("warmTransfer", record.warm.view());
        }
        out.put("recording", recordingView(record.recording));
        out.put("parties", record.parties == null ? List.of() : record.parties.stream().map(AddedParty::view).toList());
        out.put("participants", record.legs.values().stream().filter(leg -> leg.present).map(CallRecordView::legView).toList());
        out.put("audit", record.audit == null ? List.of() : record.audit.stream().map(CallRecordView::auditView).toList());
        return out;
    }

    /** The recording as the agent API shows it: its status, and who paused it (null while it is not paused). */
    private static Map<String, Object> recordingView(CallRecord.Recording recording) {
        if (recording == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sid", recording.sid);
        out.put("status", recording.status);
        out.put("pausedBy", !"paused".equals(recording.status) ? null : recording.pausedByAgent ? "agent" : "hold");
        out.put("updatedAt", recording.updatedAt);
        return out;
    }

    private static Map<String, Object> auditView(CallRecord.AuditEntry entry) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("at", entry.at);
        out.put("by", entry.by);
        out.put("event", entry.event);
        out.put("detail", entry.detail);
        return out;
    }

    private static Map<String, Object> transferView(CallRecord.Transfer transfer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "cold");
        out.put("state", transfer.state);
        out.put("target", transfer.target);
        out.put("to", transfer.to);
        out.put("taskSid", transfer.taskSid);
        out.put("callSid", transfer.callSid);
        out.put("requeues", transfer.requeues);
        out.put("startedAt", transfer.startedAt);
        return out;
    }

    private static Map<String, Object> legView(CallRecord.Leg leg) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("role", leg.role.label());
        out.put("callSid", leg.callSid);
        out.put("present", leg.present);
        out.put("hold", leg.hold);
        if (leg.heldSince != null) {
            out.put("heldSince", leg.heldSince);
        }
        out.put("muted", leg.muted);
        out.put("coaching", leg.coaching);
        if (leg.workerSid != null) {
            out.put("workerSid", leg.workerSid);
        }
        return out;
    }
}
