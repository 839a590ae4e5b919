package dev.callcontrol.functions;

import dev.callcontrol.calls.CallRecord;

import java.util.LinkedHashMap;
import java.util.Map;

/** The call as the agent API shows it, one way for {@code GET /calls/{taskSid}} and {@code GET /calls}. */
final class CallViews {
    private CallViews() {
    }

    /** A call with its conference: the record's view; before the conference, {@link #connecting}. */
    static Map<String, Object> of(CallRecord call) {
        return call.conferenceSid != null ? call.view() : connecting(call.taskSid, call.tasks == null ? null : call.tasks.get(call.taskSid));
    }

    /** A call whose conference does not exist yet, with its task's assignment status where known. */
    static Map<String, Object> connecting(String taskSid, String taskStatus) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("taskSid", taskSid);
        view.put("conferenceSid", null);
        view.put("status", "connecting");
        view.put("taskStatus", taskStatus);
        return view;
    }
}
