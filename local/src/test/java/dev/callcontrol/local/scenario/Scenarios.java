package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import dev.callcontrol.agent.FlexTokenValidator;
import dev.callcontrol.config.Config;
import dev.callcontrol.local.LocalDefaults;
import dev.callcontrol.local.LocalRuntime;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.TwilioClients;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What every scenario's local runtime starts with: free ports, and the contract specs wherever CI keeps them. */
final class Scenarios {
    private Scenarios() {
    }

    /**
     * The API key a scenario's own REST requests (a task completed as the agent's UI would) use: not
     * the product's, and not the account's auth token, so the log tells the product's requests apart.
     */
    static final String TEST_KEY_SID = "SK0000000000000000000000000000005c";
    private static final String TEST_KEY_SECRET = "scenario-test-key-secret";

    /** A REST client for the scenario itself, with a key of its own that the runtime's simulator now accepts. */
    static TwilioRestClient testClient(LocalRuntime runtime) {
        var simulator = runtime.simulator().orElseThrow();
        simulator.acceptApiKey(TEST_KEY_SID, TEST_KEY_SECRET);
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.put("TWILIO_API_BASE_URL", simulator.baseUrl());
        env.put("TWILIO_API_KEY_SID", TEST_KEY_SID);
        env.put("TWILIO_API_KEY_SECRET", TEST_KEY_SECRET);
        return TwilioClients.restClient(Config.of(env));
    }

    /**
     * The REST requests in the simulator's log that authenticated as anyone but the product's API key
     * or the scenario's own (issue 19, finding 7: the auth token signs webhooks, it authenticates no
     * REST request). IAM's token validation is left out: twilio-flex-token-validator authenticates it
     * with the auth token, the only credentials its documentation shows (docs/security.md).
     */
    static List<String> requestsNotByApiKey(List<JsonNode> requests, String productKeySid) {
        return requests.stream()
                .filter(r -> !r.path("host").asText().equals(FlexTokenValidator.IAM_HOST))
                .filter(r -> !List.of(productKeySid, TEST_KEY_SID).contains(r.path("credential").asText()))
                .map(r -> r.path("method").asText() + " " + r.path("path").asText() + " as " + r.path("credential").asText("nobody"))
                .toList();
    }

    static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_TEMPLATE", Project.template().toString());
        env.put("LOCAL_PORT", "0");
        env.put("LOCAL_SIMULATOR_PORT", "0");
        // Scenarios drive the product faster than a person would; the matrices turn the template's throttles on.
        env.put("LOCAL_THROTTLING", "off");
        String specs = System.getenv("TWILIO_OAI_DIR");
        if (specs != null && !specs.isBlank()) {
            env.put("TWILIO_OAI_DIR", specs);
        }
        return env;
    }
}
