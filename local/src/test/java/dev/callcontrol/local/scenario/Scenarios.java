package dev.callcontrol.local.scenario;

import dev.callcontrol.testing.Project;

import java.util.HashMap;
import java.util.Map;

/** What every scenario's local runtime starts with: free ports, and the contract specs wherever CI keeps them. */
final class Scenarios {
    private Scenarios() {
    }

    static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_TEMPLATE", Project.template().toString());
        env.put("LOCAL_PORT", "0");
        env.put("LOCAL_SIMULATOR_PORT", "0");
        String specs = System.getenv("TWILIO_OAI_DIR");
        if (specs != null && !specs.isBlank()) {
            env.put("TWILIO_OAI_DIR", specs);
        }
        return env;
    }
}
