package dev.callcontrol.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.Role;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.twilio.LegTwiml;
import org.w3c.dom.Element;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.callcontrol.fuzz.Fuzz.check;
import static dev.callcontrol.fuzz.Fuzz.children;
import static dev.callcontrol.fuzz.Fuzz.equal;
import static dev.callcontrol.fuzz.Fuzz.expectElement;
import static dev.callcontrol.fuzz.Fuzz.textOnly;

/**
 * The agent's pre-call whisper: {@link CallControl#agentWhisper} over a task whose caller name,
 * number, reason and queue name are fuzzed (they come from the caller and the IVR), spoken through
 * {@link LegTwiml#dial} as the whisper function does. The summary names the caller (or their
 * digits), the queue and the reason, and the TwiML is well-formed with exactly
 * {@code <Response><Say/><Dial><Conference/></Dial></Response>} and the summary as the spoken text.
 */
class AgentWhisperFuzzTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String WORKER = "WK0123456789abcdef0123456789abcdef";

    @FuzzTest(maxDuration = "10m")
    void agentWhisper(FuzzedDataProvider data) {
        Map<String, Object> attributes = new HashMap<>();
        Object name = text(data);
        Object from = text(data);
        Object reason = text(data);
        putIfPresent(attributes, "caller_name", name);
        putIfPresent(attributes, "from", from);
        putIfPresent(attributes, "reason", reason);
        String queue = data.consumeBoolean() ? null : data.consumeString(40);
        int age = data.consumeInt(0, 100_000);
        String status = data.pickValue(new String[]{"reserved", "assigned", "pending", "canceled"});
        FakeTelephony telephony = new FakeTelephony();
        telephony.tasks.put(TASK, new Telephony.TaskContext(TASK, status, "CA0123456789abcdef0123456789abcdef", WORKER, queue, attributes, age));
        CallControl calls = new CallControl(new InMemoryCallRecords(), telephony,
                new CallControl.Settings("https://calls.example.com", "+15005550006", 20, List.of("+1")));

        Optional<String> whisper = calls.agentWhisper(TASK);
        if (!status.equals("reserved") && !status.equals("assigned")) {
            check(whisper.isEmpty(), "a whisper for a " + status + " task");
            return;
        }
        check(whisper.isPresent(), "no whisper for a " + status + " task");
        String text = whisper.get();
        if (name instanceof String caller && !caller.isBlank()) {
            check(text.startsWith("Call from " + caller.trim() + ". "), "the caller's name is not said: " + text);
        } else if (from instanceof String number && !number.isBlank()) {
            check(text.startsWith("Call from "), "the caller's number is not said: " + text);
        } else {
            check(text.startsWith("Incoming call. "), "an unknown caller: " + text);
        }
        if (queue != null) {
            check(text.contains("Queue " + queue + ". "), "the queue is not said: " + text);
        }
        if (reason instanceof String why && !why.isBlank()) {
            check(text.endsWith("Reason: " + why.trim() + "."), "the reason is not said: " + text);
        }

        Element response = LegTwimlFuzzTest.response(LegTwiml.dial(LegTwiml.join(TASK, Role.AGENT.label(WORKER, TASK)).build(), text));
        List<Element> children = children(response);
        equal(2, children.size(), "elements in <Response>");
        equal(LegTwimlText.expected(text), textOnly(expectElement(children.get(0), "Say", Map.of())), "the whisper");
        Element dial = expectElement(children.get(1), "Dial", Map.of());
        List<Element> dialed = children(dial);
        equal(1, dialed.size(), "elements in <Dial>");
        equal(TASK, textOnly(expectElement(dialed.get(0), "Conference", Map.of(
                "participantLabel", "agent:" + WORKER + ":" + TASK,
                "startConferenceOnEnter", "true",
                "endConferenceOnExit", "false",
                "beep", "false"))), "conference");
    }

    /** A task attribute as TaskRouter may hold it: absent, text, a number. */
    private static Object text(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 4)) {
            case 0 -> null;
            case 1 -> data.consumeInt();
            default -> data.consumeString(60);
        };
    }

    private static void putIfPresent(Map<String, Object> attributes, String name, Object value) {
        if (value != null) {
            attributes.put(name, value);
        }
    }
}
