package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.type.PhoneNumber;
import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.calls.Role;
import dev.callcontrol.twilio.TwilioTelephony;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The product's conference participant requests ({@link TwilioTelephony}) against the simulator's
 * rules: a dialled number joins without a beep (Beep defaults to true for an API participant), and
 * a whisper to an agent who has left is refused by Twilio (16028) and answered as a 409, with
 * nothing changed.
 */
@SimRulesTest.Simulator(SimFixture.Product.STARTED)
class TwilioTelephonyConferenceTest extends SimRulesTest {
    private static final String FROM = DemoWorkspace.PHONE_NUMBER;

    /**
     * Also no alert raised while the calls left are hung up; the rules and the stand-in product are
     * left as they are.
     */
    @Override
    @AfterEach
    void noContractViolationsNoAlertsAndNothingLeft() {
        List<String> violations = sim.contractViolations();
        List<JsonNode> alerts = StreamSupport.stream(sim.alerts().spliterator(), false).toList();
        for (int i = 0; i < 20 && !sim.hearing().isEmpty(); i++) {
            sim.hangup(sim.hearing().get(0).path("callSid").asText());
        }
        List<JsonNode> late = StreamSupport.stream(sim.alerts().spliterator(), false).toList();
        sim.clearRequests();
        sim.clearAlerts();
        assertEquals(List.of(), violations);
        assertEquals(List.of(), alerts);
        assertEquals(List.of(), late, "alerts raised while the calls ended");
    }

    @Test
    void aDialledNumberJoinsWithoutABeepUnderItsOwnLabel() {
        Participant first = Participant.creator("beep-room", new PhoneNumber(FROM), new PhoneNumber("+14155550501")).create(twilio);
        sim.answer(first.getCallSid());
        sim.clearRequests();
        String leg = telephony.addParticipant(first.getConferenceSid(), FROM, "+14155550502", "transfer:" + "a".repeat(32),
                product.url("/twilio/call-events?call=WT" + "0".repeat(32) + "&leg=transfer"), 20);
        JsonNode create = sim.requests().stream().filter(r -> r.path("method").asText().equals("POST") && r.path("path").asText().endsWith("/Participants.json")).findFirst().orElseThrow();
        assertEquals("false", create.path("parameters").path("Beep").path(0).asText(), "Beep is sent: Twilio's default is true");
        assertEquals(Role.TRANSFER, Role.ofLabel(create.path("parameters").path("Label").path(0).asText()));
        assertEquals(leg, Participant.fetcher(first.getConferenceSid(), "transfer:" + "a".repeat(32)).fetch(twilio).getCallSid());
    }

    @Test
    void aWhisperToAnAgentWhoLeftIsAConflictAndChangesNothing() {
        Participant customer = Participant.creator("whisper-room", new PhoneNumber(FROM), new PhoneNumber("+14155550511")).create(twilio);
        sim.answer(customer.getCallSid());
        Participant agent = Participant.creator("whisper-room", new PhoneNumber(FROM), new PhoneNumber("+14155550512")).create(twilio);
        sim.answer(agent.getCallSid());
        Participant supervisor = Participant.creator("whisper-room", new PhoneNumber(FROM), new PhoneNumber("+14155550513")).setMuted(true).create(twilio);
        sim.answer(supervisor.getCallSid());
        sim.hangup(agent.getCallSid());

        CallControlException refused = assertThrows(CallControlException.class,
                () -> telephony.updateParticipant(customer.getConferenceSid(), supervisor.getCallSid(), false, true, agent.getCallSid()));
        assertEquals(409, refused.status());
        assertEquals("no_agent", refused.code());
        Participant unchanged = Participant.fetcher(customer.getConferenceSid(), supervisor.getCallSid()).fetch(twilio);
        assertFalse(unchanged.getCoaching());
        assertEquals(true, unchanged.getMuted());
    }
}
