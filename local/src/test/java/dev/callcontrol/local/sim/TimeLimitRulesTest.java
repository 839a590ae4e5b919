package dev.callcontrol.local.sim;

import com.twilio.exception.ApiException;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * [rule voice.call.time-limit] under both readings: a call or participant created with
 * {@code TimeLimit} is ended by Twilio when the limit has passed, counted from the answer
 * ({@code from-answer}) or from the request ({@code from-created}); without one nothing ends it.
 */
@SimRulesTest.Simulator(SimFixture.Product.STARTED)
class TimeLimitRulesTest extends SimRulesTest {
    private static final String FROM = DemoWorkspace.PHONE_NUMBER;
    private static final String RULE = "voice.call.time-limit";

    @Test
    void fromTheAnswerAParticipantIsCutWhenItsLimitHasPassedSinceItAnswered() {
        sim.selectRule(RULE, "from-answer");
        String to = "+14155550131";
        Participant leg = Participant.creator("limit-room", new PhoneNumber(FROM), new PhoneNumber(to))
                .setTimeLimit(30)
                .setConferenceStatusCallback(URI.create(product.url("/conference/limit")))
                .setConferenceStatusCallbackEvent(List.of("leave"))
                .create(twilio);
        sim.advance(20);
        sim.answer(leg.getCallSid());
        sim.advance(29);
        assertEquals(Call.Status.IN_PROGRESS, status(leg.getCallSid()), "thirty seconds since the answer have not passed");
        sim.advance(2);
        assertEquals(Call.Status.COMPLETED, status(leg.getCallSid()));
        List<FakeProduct.Hit> left = product.hits("/conference/limit").stream()
                .filter(hit -> "participant-leave".equals(hit.param("StatusCallbackEvent"))).toList();
        assertEquals(1, left.size(), left.toString());
        assertEquals("participant_hung_up", left.get(0).param("ReasonParticipantLeft"));
        assertEquals(leg.getCallSid(), left.get(0).param("CallSid"));
    }

    @Test
    void fromTheRequestACallIsCutWhenItsLimitHasPassedSinceItWasCreated() {
        sim.selectRule(RULE, "from-created");
        String to = "+14155550132";
        Call call = Call.creator(new PhoneNumber(to), new PhoneNumber(FROM), new Twiml("<Response><Dial><Conference>limit-call</Conference></Dial></Response>"))
                .setTimeLimit(30).create(twilio);
        sim.advance(20);
        sim.answer(call.getSid());
        sim.advance(9);
        assertEquals(Call.Status.IN_PROGRESS, status(call.getSid()));
        sim.advance(2);
        assertEquals(Call.Status.COMPLETED, status(call.getSid()), "thirty seconds since the request have passed");
    }

    @Test
    void fromTheRequestALegStillRingingAtItsLimitEndsUnanswered() {
        sim.selectRule(RULE, "from-created");
        Call call = Call.creator(new PhoneNumber("+14155550133"), new PhoneNumber(FROM), new Twiml("<Response><Hangup/></Response>"))
                .setTimeLimit(10).setTimeout(60).create(twilio);
        sim.advance(11);
        assertEquals(Call.Status.NO_ANSWER, status(call.getSid()));
    }

    @Test
    void withoutALimitNothingEndsTheCall() {
        for (String reading : List.of("from-answer", "from-created")) {
            sim.selectRule(RULE, reading);
            Call call = Call.creator(new PhoneNumber("+14155550134"), new PhoneNumber(FROM),
                    new Twiml("<Response><Dial><Conference>no-limit-" + reading + "</Conference></Dial></Response>")).create(twilio);
            sim.answer(call.getSid());
            sim.advance(3 * 3600);
            assertEquals(Call.Status.IN_PROGRESS, status(call.getSid()), reading);
            fixture.hangUpEverything();
        }
    }

    @Test
    void aLimitThatIsNotAPositiveNumberOfSecondsIsRefused() {
        ApiException refused = assertThrows(ApiException.class, () -> Participant.creator("limit-room", new PhoneNumber(FROM), new PhoneNumber("+14155550135"))
                .setTimeLimit(0).create(twilio));
        assertEquals(400, refused.getStatusCode());
        assertEquals(0, sim.hearing().size(), "no leg was placed");
    }

    private static Call.Status status(String callSid) {
        return Call.fetcher(callSid).fetch(twilio).getStatus();
    }
}
