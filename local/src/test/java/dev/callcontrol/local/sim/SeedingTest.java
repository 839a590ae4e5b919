package dev.callcontrol.local.sim;

import dev.callcontrol.calls.Telephony;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live calls seeded in bulk ({@code POST /sim/conferences/seed}, for benchmarks) are what the
 * product reads of a connected call: an in-progress conference with the customer and the agent
 * connected, who hear each other. Seeding sends no webhook; the conference's later events go to the
 * callback given. A name in use is refused and nothing is seeded.
 */
class SeedingTest {
    private static SimFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = SimFixture.start(SimFixture.Product.STARTED);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void seededCallsAreConnectedCallsInTheirConferencesAndOnlyLaterEventsAreSent() {
        SimClient sim = fixture.sim;
        String callback = fixture.product.url(FakeProduct.EVENTS);
        List<SimClient.SeededCall> seeded = sim.seedConferences(List.of("WT5ca1e000000000000000000000000000", "WT5ca1e000000000000000000000000001"),
                List.of("+141500000000", "+141500000001"), List.of("client:agent000000", "client:agent000001"), callback, List.of("start", "end", "join", "leave"));
        assertEquals(2, seeded.size());
        assertEquals("WT5ca1e000000000000000000000000000", seeded.get(0).name());

        // The product's adapter reads each as the reconciler does: in progress, both legs connected.
        Telephony.ConferenceState state = fixture.telephony().conference(seeded.get(0).conferenceSid()).orElseThrow();
        assertFalse(state.ended());
        assertEquals(Set.of(seeded.get(0).customerCallSid(), seeded.get(0).agentCallSid()),
                Set.copyOf(state.participants().stream().filter(Telephony.ConferenceParticipant::connected)
                        .map(Telephony.ConferenceParticipant::callSid).toList()));
        assertEquals(Set.of("agent000000"), sim.hears("+141500000000"));
        assertEquals(Set.of("+141500000000"), sim.hears("agent000000"));
        assertTrue(fixture.product.hits().isEmpty(), "no webhook for the seeded joins: " + fixture.product.hits());

        // Later events do go to the callback: the customer hangs up.
        sim.hangup(seeded.get(1).customerCallSid());
        assertEquals(List.of("participant-leave"), fixture.product.hits(FakeProduct.EVENTS).stream()
                .map(hit -> hit.param("StatusCallbackEvent")).toList());

        // A name in use is refused, and nothing of the request is seeded.
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> sim.seedConferences(
                List.of("WT5ca1e000000000000000000000000002", "WT5ca1e000000000000000000000000000"), List.of("+141500000002", "+141500000003"),
                List.of("client:a", "client:b"), null, List.of()));
        assertTrue(refused.getMessage().contains("400"), refused.getMessage());
        assertEquals(Optional.empty(), Optional.ofNullable(sim.liveCall("+141500000002")));
        assertEquals(List.of(), sim.contractViolations());
        fixture.hangUpEverything();
    }
}
