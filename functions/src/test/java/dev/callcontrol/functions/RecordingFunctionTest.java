package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.Role;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connected agent pauses or resumes the recording: the sample event, a repeat, and bodies that are not an action. */
class RecordingFunctionTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String CONFERENCE = "CF0123456789abcdef0123456789abcdef";
    private static final String RECORDING = "RE0123456789abcdef0123456789abcdef";
    private static final String ALICE = "WK00000000000000000000000000000001";
    private static final String AGENT_LEG = "CA00000000000000000000000000000a01";

    private InMemoryCallRecords records;
    private FakeTelephony telephony;
    private RecordingFunction function;

    @BeforeEach
    void aRecordedCall() {
        records = new InMemoryCallRecords();
        telephony = new FakeTelephony();
        telephony.recordings.put(CONFERENCE, new Telephony.Recording(RECORDING, "in-progress"));
        CallControl calls = new CallControl(records, telephony, new CallControl.Settings("http://127.0.0.1:3000", "+15005550006", 20, List.of()));
        records.update(TASK, () -> new CallRecord(TASK), r -> {
            r.conferenceSid = CONFERENCE;
            r.workerSid = ALICE;
            r.agentCallSid = AGENT_LEG;
            CallRecord.Leg agent = new CallRecord.Leg();
            agent.callSid = AGENT_LEG;
            agent.role = Role.AGENT;
            agent.workerSid = ALICE;
            agent.present = true;
            r.legs.put(AGENT_LEG, agent);
            return true;
        });
        function = new RecordingFunction(Config.of(Webhooks.localEnvironment()), calls);
    }

    private static APIGatewayV2HTTPEvent withBody(String body) {
        APIGatewayV2HTTPEvent event = Webhooks.sample("recording-pause.json");
        event.setBody(body);
        return event;
    }

    @Test
    void theSampleEventPausesTheRecordingOnceAndShowsItInTheView() {
        var response = function.handleRequest(Webhooks.sample("recording-pause.json"), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertTrue(response.getBody().contains("\"recording\":{\"sid\":\"" + RECORDING + "\",\"status\":\"paused\",\"pausedBy\":\"agent\""),
                response.getBody());
        var again = function.handleRequest(Webhooks.sample("recording-pause.json"), null);
        assertEquals(200, again.getStatusCode(), again.getBody());
        assertEquals(List.of("updateRecording " + RECORDING + " paused silence"), telephony.requests("updateRecording"));

        var resumed = function.handleRequest(withBody("{\"action\":\"resume\"}"), null);
        assertEquals(200, resumed.getStatusCode(), resumed.getBody());
        assertTrue(resumed.getBody().contains("\"status\":\"in-progress\""), resumed.getBody());
    }

    @Test
    void aCallWithNoRecordingRunningIsAConflict() {
        telephony.recordings.clear();
        var response = function.handleRequest(Webhooks.sample("recording-pause.json"), null);
        assertEquals(409, response.getStatusCode(), response.getBody());
        assertTrue(response.getBody().contains("no_recording"), response.getBody());
    }

    @Test
    void badBodiesAreClearErrors() {
        for (String body : List.of("{}", "{\"action\":\"stop\"}", "{\"action\":1}", "{\"action\":\"PAUSE\"}", "{\"action\":null}")) {
            var response = function.handleRequest(withBody(body), null);
            assertEquals(400, response.getStatusCode(), body + " -> " + response.getBody());
            assertTrue(response.getBody().contains("\"error\""), response.getBody());
        }
        assertTrue(telephony.requests.isEmpty(), telephony.requests.toString());
    }
}
