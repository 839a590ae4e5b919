package dev.callcontrol.config;

/**
 * Every environment variable the product reads, in one place. The README's environment table and
 * template.yaml use exactly these names; a test keeps the three in step.
 */
public enum Setting {
    TWILIO_ACCOUNT_SID("Twilio account SID (AC...) that owns the TaskRouter workspace.", null),
    TWILIO_AUTH_TOKEN("Twilio auth token, with which webhook signatures are checked (and REST requests authenticated when no API key is set). "
            + "Deployed empty: the functions read it from the secret TWILIO_SECRET_ID names. Set it for the local runtime and tests.", null),
    TWILIO_SECONDARY_AUTH_TOKEN("Optional: Twilio's secondary auth token during a rotation; webhooks signed with it are accepted too. "
            + "Deployed empty (it is read from the secret).", ""),
    TWILIO_API_KEY_SID("Twilio API key SID (SK...) that REST requests authenticate with, with TWILIO_API_KEY_SECRET. "
            + "Empty: REST requests use the account SID and auth token (the local runtime's default).", ""),
    TWILIO_API_KEY_SECRET("The API key's secret. Deployed empty (it is read from the secret).", ""),
    TWILIO_SECRET_ID("ARN or name of the Secrets Manager secret holding, as JSON, TWILIO_AUTH_TOKEN, TWILIO_API_KEY_SECRET and, "
            + "during a rotation, TWILIO_SECONDARY_AUTH_TOKEN. Read once when a container starts (and after a SnapStart restore); "
            + "its values replace those variables. Empty: the variables themselves are used.", ""),
    PUBLIC_BASE_URL("Base URL Twilio uses to reach the API (scheme, host, base path; no trailing slash). "
            + "Signatures are checked against it and every callback URL handed to Twilio starts with it.", null),
    TASKROUTER_WORKSPACE_SID("TaskRouter workspace SID (WS...).", null),
    TASKROUTER_WORKFLOW_SID("TaskRouter workflow SID (WW...) that routes calls and transfers.", null),
    CALLER_ID("Caller ID (E.164) for calls the product places when the task carries no called number.", null),
    OUTBOUND_CALLER_IDS("Comma-separated caller IDs (E.164; Twilio numbers of the account or its verified caller IDs) an agent may "
            + "choose with \"from\" for an outbound call or a transfer to a number; any other is refused (403 caller_id_not_allowed). "
            + "CALLER_ID is always allowed. Empty: CALLER_ID only.", ""),
    TABLE_NAME("DynamoDB table that tracks calls and in-flight transfers.", null),
    DYNAMODB_ENDPOINT("Optional DynamoDB endpoint override (DynamoDB Local, LocalStack).", ""),
    TWILIO_API_BASE_URL("Optional base URL for every Twilio REST request instead of https://*.twilio.com "
            + "(same path and query; the original host travels in the X-Twilio-Original-Host header).", ""),
    AGENT_RING_TIMEOUT("Seconds TaskRouter rings the agent before giving up on the reservation.", "20"),
    TRANSFER_TIMEOUT_SECONDS("Seconds a transfer, cold or warm, to a worker, a queue or a number, waits for its target to join: "
            + "the transfer task's TaskRouter timeout, and the reconciler ends a transfer still waiting after it as a no-answer. "
            + "An outbound call's task waits as long for its agent before TaskRouter cancels it.", "120"),
    WRAP_UP_SECONDS("Seconds an agent's wrap-up may last before the reconciler completes the task itself (disposition timed_out); "
            + "0: no limit, the agent ends it.", "0"),
    WRAP_UP_DISPOSITIONS("Comma-separated dispositions an agent may end a wrap-up with; empty: any (1 to 64 letters, digits, "
            + "spaces, '_', '.', '-').", ""),
    MAX_PARTIES("The most parties one call may have, 3 to 250: the customer, agents (the call's and added workers) and external "
            + "numbers, counting parties still ringing; supervisors do not count. POST /calls/{taskSid}/participants beyond it "
            + "gets 409 too_many_parties.", "6"),
    MAX_HOLD_SECONDS("Seconds a customer may be held: the reconciler's watchdog then takes them off hold back to the agent "
            + "(who hears a short announcement first), or re-queues them at raised priority when that agent is gone.", "300"),
    CONFERENCE_RECORD("true to record conferences from the start.", "false"),
    PAUSE_RECORDING_ON_HOLD("true to pause the conference's recording while the customer is held, and resume it when they are "
            + "taken off hold (by the agent, the watchdog, the reconciler or a transfer target joining).", "false"),
    RECORDING_PAUSE_BEHAVIOR("What a paused recording keeps of the pause (Twilio's PauseBehavior): 'silence' records silence in its place, "
            + "'skip' leaves it out.", "silence"),
    HOLD_MUSIC_URL("Audio (mp3/wav) the customer hears on hold, played by the hold-music TwiML.",
            "http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3"),
    DIAL_PREFIXES("Comma-separated E.164 prefixes (such as +1,+44) the product may dial for transfers to numbers "
            + "and outbound calls; numbers outside them are refused. Empty: none.", ""),
    DIAL_DENY_PREFIXES("Comma-separated E.164 prefixes the product never dials, even inside DIAL_PREFIXES: premium and high-cost ranges "
            + "(NANP 900 and the Caribbean NANP area codes billed as international, UK 09, 070, 084 and 087). "
            + "Empty: this list; none: no deny-list.", Destinations.DEFAULT_DENY),
    SIP_DOMAINS("Comma-separated SIP domains a worker's contact_uri may name (sip:user@domain); empty: no sip: contact_uri is dialled.", ""),
    EXTERNAL_CALL_TIME_LIMIT_SECONDS("The longest, in seconds, a leg the product places to a number or a SIP address may last "
            + "(Twilio's TimeLimit on the call or participant it creates).", "3600"),
    AGENT_DIALS_PER_MINUTE("The most calls one agent may have the product place in a minute (outbound calls, transfers to numbers, "
            + "supervisor joins); more get 429 rate_limited with Retry-After.", "10"),
    AGENT_WHISPER("true to have the agent hear who is calling, from which queue, how long they waited and why, "
            + "before being connected; the customer hears the queue's music meanwhile.", "false"),
    RECONCILE_SCHEDULE("How often the reconciler runs, as an EventBridge rate expression (rate(1 minute), rate(5 minutes)): "
            + "it compares every live call with Twilio and repairs what lost webhooks left behind.", "rate(1 minute)"),
    RECONCILE_GRACE_SECONDS("Seconds a call's record must have been still before the reconciler compares it with Twilio, "
            + "so that webhooks on their way (Twilio retries within 15 s) are not raced.", "20"),
    RECONCILE_MAX_REQUESTS("The most Twilio requests one reconciler run makes (two per call visited); "
            + "calls it cannot reach are visited by the next runs.", "600"),
    AUTH_WORKER_CLAIM("JWT claim carrying the caller's TaskRouter worker SID (WK...).", "custom:worker_sid"),
    AUTH_WORKER_BINDING("How the worker claim is bound to the user: 'claim' trusts it (safe only when users cannot write it, "
            + "as with the template's user pool), 'worker-attribute' also requires the worker's TaskRouter attribute auth_sub "
            + "to equal the token's sub.", "claim"),
    AUTH_GROUPS_CLAIM("JWT claim listing the caller's groups.", "cognito:groups"),
    SUPERVISOR_GROUP("Group (in AUTH_GROUPS_CLAIM) that grants the supervisor role.", "supervisors"),
    POWERTOOLS_METRICS_NAMESPACE("CloudWatch namespace of the product's metrics (Powertools Metrics, embedded metric format; docs/metrics.md): "
            + "letters, digits and . - _ / # :, at most 255, not starting with AWS/.", "CallControl"),
    POWERTOOLS_SERVICE_NAME("Service name: the Service dimension of every metric, and the service field of every log line (Powertools).",
            "call-control");

    private final String description;
    private final String defaultValue;

    Setting(String description, String defaultValue) {
        this.description = description;
        this.defaultValue = defaultValue;
    }

    public String description() {
        return description;
    }

    /** The value used when the variable is absent; {@code null} when the setting has no default. */
    public String defaultValue() {
        return defaultValue;
    }

    public boolean hasDefault() {
        return defaultValue != null;
    }
}
