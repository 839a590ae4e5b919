package dev.callcontrol.taskrouter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.callsetup.ConferenceInstruction;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AssignmentCallbackTest {
    private static Map<String, String> form() {
        Map<String, String> form = new HashMap<>();
        form.put("TaskSid", "WT0123456789abcdef0123456789abcdef");
        form.put("ReservationSid", "WR0123456789abcdef0123456789abcdef");
        form.put("WorkerSid", "WK0123456789abcdef0123456789abcdef");
        form.put("TaskAttributes", "{\"call_sid\":\"CA1\",\"called\":\"+15005550006\"}");
        form.put("WorkerAttributes", "{\"contact_uri\":\"client:alice\"}");
        return form;
    }

    @Test
    void parsesTheCallbackForm() {
        var assignment = AssignmentCallback.parse(form());
        assertEquals("WT0123456789abcdef0123456789abcdef", assignment.taskSid());
        assertEquals("client:alice", assignment.workerContactUri());
        assertTrue(assignment.isVoice());
    }

    @Test
    void missingOrMalformedFieldsAreA400NamingTheField() {
        for (String field : List.of("TaskSid", "ReservationSid", "WorkerSid", "TaskAttributes", "WorkerAttributes")) {
            Map<String, String> form = form();
            form.remove(field);
            HttpError error = assertThrows(HttpError.class, () -> AssignmentCallback.parse(form), field);
            assertEquals(400, error.status());
            assertTrue(error.getMessage().contains(field), error.getMessage());
        }
        Map<String, String> badSid = form();
        badSid.put("TaskSid", "CA0123456789abcdef0123456789abcdef");
        assertEquals(400, assertThrows(HttpError.class, () -> AssignmentCallback.parse(badSid)).status());
        Map<String, String> notObject = form();
        notObject.put("TaskAttributes", "[1,2]");
        assertEquals(400, assertThrows(HttpError.class, () -> AssignmentCallback.parse(notObject)).status());
        Map<String, String> broken = form();
        broken.put("WorkerAttributes", "{\"contact_uri\":");
        assertEquals(400, assertThrows(HttpError.class, () -> AssignmentCallback.parse(broken)).status());
    }

    @Test
    void writesTheInstructionInTwiliosSnakeCase() {
        String json = AssignmentCallback.json(new ConferenceInstruction("+15005550006", "client:alice", 20, true,
                "https://x.example/twilio/conference-events", List.of("start", "end", "join"), false, true, false));
        JsonNode node = Json.parse(json, "instruction");
        assertEquals("conference", node.get("instruction").asText());
        assertEquals("+15005550006", node.get("from").asText());
        assertEquals("client:alice", node.get("to").asText());
        assertEquals(20, node.get("timeout").asInt());
        assertEquals("record-from-start", node.get("conference_record").asText());
        assertEquals("https://x.example/twilio/conference-events", node.get("conference_status_callback").asText());
        assertEquals("POST", node.get("conference_status_callback_method").asText());
        assertEquals("start,end,join", node.get("conference_status_callback_event").asText());
        assertFalse(node.get("end_conference_on_exit").asBoolean(true));
        assertTrue(node.get("end_conference_on_customer_exit").asBoolean());
        assertFalse(node.get("beep").asBoolean(true));

        String notRecorded = AssignmentCallback.json(new ConferenceInstruction("+1", "client:a", 20, false, "u", List.of("start"), false, true, false));
        assertFalse(Json.parse(notRecorded, "instruction").has("conference_record"));
    }
}
