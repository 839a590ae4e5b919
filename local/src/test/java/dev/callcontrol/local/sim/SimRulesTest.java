package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import dev.callcontrol.twilio.TwilioTelephony;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a test class of the simulator's rules or of the product's Twilio adapters shares: one
 * {@link SimFixture} for the class, started before its first case with the {@link SimFixture.Product}
 * its {@link Simulator} annotation names and stopped after its last, and after each case the check
 * that no request broke Twilio's contract and no alert was raised, with the simulator left clean for
 * the next case. A class whose clean-up or check differs overrides
 * {@link #noContractViolationsNoAlertsAndNothingLeft()}.
 */
abstract class SimRulesTest {
    /** The product a test class runs its simulator with, and whether each case is checked after it runs. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface Simulator {
        SimFixture.Product value();

        /** False for a class whose cases clean up after themselves and are not checked after each. */
        boolean checkedAfterEach() default true;
    }

    static SimFixture fixture;
    static TwilioSimulator simulator;
    static SimClient sim;
    /** Null with {@link SimFixture.Product#NONE}. */
    static FakeProduct product;
    static TwilioRestClient twilio;
    /** The product's Twilio adapter over this simulator. */
    static TwilioTelephony telephony;
    private static boolean checkedAfterEach;

    @BeforeAll
    static void start(TestInfo test) throws Exception {
        Class<?> testClass = test.getTestClass().orElseThrow();
        Simulator settings = testClass.getAnnotation(Simulator.class);
        if (settings == null) {
            throw new IllegalStateException(testClass.getName() + " names no @SimRulesTest.Simulator");
        }
        checkedAfterEach = settings.checkedAfterEach();
        fixture = SimFixture.start(settings.value());
        simulator = fixture.simulator;
        sim = fixture.sim;
        product = fixture.product;
        twilio = fixture.twilio;
        telephony = fixture.telephony();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @AfterEach
    void noContractViolationsNoAlertsAndNothingLeft() {
        if (!checkedAfterEach) {
            return;
        }
        List<String> violations = sim.contractViolations();
        List<JsonNode> alerts = alerts();
        fixture.hangUpEverything();
        sim.resetRules();
        sim.clearRequests();
        sim.clearAlerts();
        if (product != null) {
            product.clear();
        }
        assertEquals(List.of(), violations, "requests that broke Twilio's contract");
        assertEquals(List.of(), alerts, "alerts Twilio's debugger would show");
    }

    /** The alerts the simulator holds now. */
    static List<JsonNode> alerts() {
        return StreamSupport.stream(sim.alerts().spliterator(), false).toList();
    }
}
