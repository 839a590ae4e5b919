package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import dev.callcontrol.config.Config;
import dev.callcontrol.local.LocalDefaults;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.TwilioClients;
import dev.callcontrol.twilio.TwilioTelephony;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One simulator for a test class of the simulator's rules or of the product's Twilio adapters: it
 * checks every request against Twilio's specs (when they are present), and comes with a control
 * client, a twilio-java client pointed at it as the product's would be, and optionally a
 * {@link FakeProduct} receiving its webhooks. {@link #close()} stops them all.
 */
final class SimFixture implements AutoCloseable {
    /** Whether a {@link FakeProduct} is started, and whether the demo workspace's callbacks point at it. */
    enum Product { NONE, STARTED, CONNECTED }

    final Optional<ContractCheck> contract;
    final TwilioSimulator simulator;
    final SimClient sim;
    /** Null with {@link Product#NONE}. */
    final FakeProduct product;
    final TwilioRestClient twilio;

    private SimFixture(Optional<ContractCheck> contract, TwilioSimulator simulator, FakeProduct product) {
        this.contract = contract;
        this.simulator = simulator;
        this.sim = new SimClient(simulator.baseUrl());
        this.product = product;
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.put("TWILIO_API_BASE_URL", simulator.baseUrl());
        this.twilio = TwilioClients.restClient(Config.of(env));
    }

    static SimFixture start(Product product) throws Exception {
        Optional<ContractCheck> contract = ContractCheck.load(ContractCheck.defaultDirectory(System.getenv(), Project.root()));
        TwilioSimulator simulator = TwilioSimulator.start(new TwilioSimulator.Settings("127.0.0.1", 0, LocalDefaults.ACCOUNT_SID,
                LocalDefaults.AUTH_TOKEN, contract));
        FakeProduct fake = null;
        try {
            if (product != Product.NONE) {
                fake = FakeProduct.start(LocalDefaults.AUTH_TOKEN);
            }
            if (product == Product.CONNECTED) {
                simulator.connectProduct(fake.url(FakeProduct.ASSIGNMENT), fake.url(FakeProduct.EVENTS));
            }
            return new SimFixture(contract, simulator, fake);
        } catch (Exception | Error e) {
            if (fake != null) {
                fake.close();
            }
            simulator.close();
            throw e;
        }
    }

    /** The product's Twilio adapter on the demo workspace and workflow, over this simulator. */
    TwilioTelephony telephony() {
        return new TwilioTelephony(twilio, DemoWorkspace.WORKSPACE_SID, DemoWorkspace.WORKFLOW_SID);
    }

    /** Hangs up every call the simulator still has, one by one (each hang-up may end others). */
    void hangUpEverything() {
        for (int i = 0; i < 100; i++) {
            JsonNode calls = sim.hearing();
            if (calls.isEmpty()) {
                return;
            }
            sim.hangup(calls.get(0).path("callSid").asText());
        }
    }

    @Override
    public void close() {
        if (product != null) {
            product.close();
        }
        simulator.close();
    }
}
