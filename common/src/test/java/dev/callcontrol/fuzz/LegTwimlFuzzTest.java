package dev.callcontrol.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.twilio.twiml.voice.Conference;
import dev.callcontrol.twilio.LegTwiml;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.callcontrol.fuzz.Fuzz.check;
import static dev.callcontrol.fuzz.Fuzz.children;
import static dev.callcontrol.fuzz.Fuzz.equal;
import static dev.callcontrol.fuzz.Fuzz.expectElement;
import static dev.callcontrol.fuzz.Fuzz.textOnly;

/**
 * The legs' TwiML ({@link LegTwiml}) with fuzzed conference names, participant labels, spoken
 * introductions and goodbyes, and the options the product sets (muted, coach, status callback).
 * The output must be well-formed XML, parsed with DOCTYPEs and external entities refused, with
 * exactly the expected elements and attributes ({@code <Response>}, an optional {@code <Say>},
 * {@code <Dial><Conference>}; or {@code <Say>} and {@code <Hangup>}), and each fuzzed text must come
 * back as the text or attribute value it was given: no element or attribute can be injected.
 */
class LegTwimlFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void legTwiml(FuzzedDataProvider data) {
        if (data.consumeInt(0, 3) == 0) {
            String words = data.consumeRemainingAsString();
            Element response = response(LegTwiml.sayAndHangUp(words));
            List<Element> children = children(response);
            equal(2, children.size(), "elements in " + response);
            equal(LegTwimlText.expected(words), textOnly(expectElement(children.get(0), "Say", Map.of())), "spoken words");
            expectElement(children.get(1), "Hangup", Map.of());
            check(children(children.get(1)).isEmpty() && textOnly(children.get(1)).isEmpty(), "<Hangup> has content");
            return;
        }
        String name = data.consumeString(50);
        String label = data.consumeString(80);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("participantLabel", LegTwimlText.expectedAttribute(label));
        attributes.put("startConferenceOnEnter", "true");
        attributes.put("endConferenceOnExit", "false");
        attributes.put("beep", "false");
        Conference.Builder conference = LegTwiml.join(name, label);
        if (data.consumeBoolean()) {
            boolean muted = data.consumeBoolean();
            conference.muted(muted);
            attributes.put("muted", String.valueOf(muted));
        }
        if (data.consumeBoolean()) {
            // The product sets these itself (a call SID, its own URL); they need no sanitising, so give it legal text.
            String coach = LegTwimlText.legal(data.consumeString(40));
            conference.coach(coach);
            attributes.put("coach", LegTwimlText.expectedAttribute(coach));
        }
        if (data.consumeBoolean()) {
            // twilio-java drops a status callback that is no URI; the product's is its own URL.
            String callback = "https://calls.example.com/twilio/conference-events?x="
                    + java.net.URLEncoder.encode(data.consumeString(40), java.nio.charset.StandardCharsets.UTF_8);
            conference.statusCallback(callback).statusCallbackEvents(List.of(Conference.Event.JOIN, Conference.Event.LEAVE));
            attributes.put("statusCallback", LegTwimlText.expectedAttribute(callback));
            attributes.put("statusCallbackEvent", "join leave");
        }
        String introduction = data.consumeBoolean() ? null : data.consumeRemainingAsString();

        Element response = response(LegTwiml.dial(conference.build(), introduction));
        List<Element> children = children(response);
        equal(introduction == null ? 1 : 2, children.size(), "elements in <Response>");
        if (introduction != null) {
            equal(LegTwimlText.expected(introduction), textOnly(expectElement(children.get(0), "Say", Map.of())), "introduction");
        }
        Element dial = expectElement(children.get(children.size() - 1), "Dial", Map.of());
        List<Element> dialed = children(dial);
        equal(1, dialed.size(), "elements in <Dial>");
        equal(LegTwimlText.expected(name), textOnly(expectElement(dialed.get(0), "Conference", attributes)), "conference name");
    }

    static Element response(String twiml) {
        Document document = Fuzz.xml(twiml);
        return expectElement(document.getDocumentElement(), "Response", Map.of());
    }
}
