package dev.callcontrol.local;

import java.util.Map;

/**
 * What the local runtime uses when nothing is configured: made-up but well-formed Twilio SIDs, a
 * local auth token, and loopback URLs. Nothing here is a secret; every value can be overridden by
 * the environment variable of the same name.
 */
public final class LocalDefaults {
    public static final String ACCOUNT_SID = "AC00000000000000000000000000000001";
    public static final String AUTH_TOKEN = "local-auth-token";
    /** The API key the functions' REST requests authenticate with; the simulator accepts it. */
    public static final String API_KEY_SID = "SK00000000000000000000000000000001";
    public static final String API_KEY_SECRET = "local-api-key-secret";
    public static final String WORKSPACE_SID = "WS00000000000000000000000000000001";
    public static final String WORKFLOW_SID = "WW00000000000000000000000000000001";
    public static final String CALLER_ID = "+15005550006";
    /** The simulated account's second number, which agents may choose as their caller ID ({@code OUTBOUND_CALLER_IDS}). */
    public static final String SECOND_CALLER_ID = "+15005550007";
    public static final int PORT = 3000;
    public static final int SIMULATOR_PORT = 3001;
    public static final String HOST = "127.0.0.1";

    private LocalDefaults() {
    }

    /**
     * Values for template parameters that have no default of their own. {@code DialPrefixes} (and
     * {@code OutboundCallerIds}, a number of the simulated account) is
     * {@code +1} only against the simulator (or another stand-in), whose calls cost nothing; against real Twilio it keeps
     * the template's empty default, so nothing is dialled until {@code DIAL_PREFIXES} says so.
     */
    static Map<String, String> parameters(String publicBaseUrl, boolean simulated) {
        return Map.ofEntries(
                Map.entry("TwilioAccountSid", ACCOUNT_SID),
                Map.entry("TwilioApiKeySid", API_KEY_SID),
                Map.entry("PublicBaseUrl", publicBaseUrl),
                Map.entry("TaskRouterWorkspaceSid", WORKSPACE_SID),
                Map.entry("TaskRouterWorkflowSid", WORKFLOW_SID),
                Map.entry("CallerId", CALLER_ID),
                Map.entry("OutboundCallerIds", simulated ? SECOND_CALLER_ID : ""),
                Map.entry("JwtIssuer", publicBaseUrl + "/dev"),
                Map.entry("JwtAudience", LocalAuthorizer.AUDIENCE),
                Map.entry("AgentUiOrigin", "http://127.0.0.1:5173"),
                Map.entry("DialPrefixes", simulated ? "+1" : ""));
    }

    /**
     * Local stand-ins for values the deployment reads from Secrets Manager (or resolves from a secret
     * store): the functions get the secrets themselves and no secret to read them from.
     */
    static Map<String, String> secrets() {
        return Map.of("TWILIO_AUTH_TOKEN", AUTH_TOKEN, "TWILIO_API_KEY_SECRET", API_KEY_SECRET, "TWILIO_SECRET_ID", "");
    }
}
