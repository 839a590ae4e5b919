package dev.callcontrol.config;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Typed access to the environment. Functions read what they need in their constructor so that a
 * missing or malformed setting stops the container at start, naming the variable, rather than
 * failing a live call.
 */
public final class Config {
    private static final Pattern ACCOUNT_SID = Pattern.compile("^AC[0-9a-fA-F]{32}$");
    private static final Pattern API_KEY_SID = Pattern.compile("^SK[0-9a-fA-F]{32}$");
    private static final Pattern WORKSPACE_SID = Pattern.compile("^WS[0-9a-fA-F]{32}$");
    private static final Pattern WORKFLOW_SID = Pattern.compile("^WW[0-9a-fA-F]{32}$");
    private static final Pattern METRICS_NAMESPACE = Pattern.compile("^[0-9A-Za-z._#:/-]{1,255}$");
    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");

    private final Map<String, String> environment;
    private final java.time.Clock clock;

    private Config(Map<String, String> environment, java.time.Clock clock) {
        this.environment = Map.copyOf(environment);
        this.clock = clock;
    }

    private Config(Map<String, String> environment) {
        this(environment, java.time.Clock.systemUTC());
    }

    /**
     * The same settings on another clock. Lambda's functions run on the system clock; the local
     * runtime hands them the Twilio simulator's, so that what the product times (a hold, a transfer
     * waiting for its target) moves with {@code POST /sim/clock/advance} as Twilio's side does.
     */
    public Config withClock(java.time.Clock other) {
        return new Config(environment, Objects.requireNonNull(other));
    }

    /** The clock the product stamps and times with (the system clock unless {@link #withClock} said otherwise). */
    public java.time.Clock clock() {
        return clock;
    }

    /**
     * {@code POWERTOOLS_METRICS_NAMESPACE}, as Powertools accepts a namespace (CloudWatch's characters
     * less the space) and CloudWatch reserves none of it: checked at start, so a wrong one stops the
     * container rather than losing every metric at each flush.
     */
    public String metricsNamespace() {
        String namespace = require(Setting.POWERTOOLS_METRICS_NAMESPACE);
        if (!METRICS_NAMESPACE.matcher(namespace).matches() || namespace.startsWith("AWS/")) {
            throw new ConfigurationException("POWERTOOLS_METRICS_NAMESPACE must be 1 to 255 letters, digits and . - _ / # : (as Powertools accepts it), "
                    + "not starting with AWS/");
        }
        return namespace;
    }

    /** The process environment, as Lambda provides it. */
    public static Config fromEnvironment() {
        return new Config(System.getenv());
    }

    /** An explicit environment: the local runtime and tests build functions with this. */
    public static Config of(Map<String, String> environment) {
        return new Config(Objects.requireNonNull(environment));
    }

    /** The raw value, the default when absent or blank, or {@code null} when neither exists. */
    public String get(Setting setting) {
        String value = environment.get(setting.name());
        if (value == null || value.isBlank()) {
            return setting.defaultValue();
        }
        return value.trim();
    }

    /** Like {@link #get} but fails, naming the variable, when there is no value at all. */
    public String require(Setting setting) {
        String value = get(setting);
        if (value == null || value.isEmpty()) {
            throw new ConfigurationException("Missing required setting " + setting.name() + ": " + setting.description());
        }
        return value;
    }

    /** Any other environment variable (AWS_REGION and the like); {@code null} when absent. */
    public String raw(String name) {
        return environment.get(name);
    }

    public String accountSid() {
        return matching(Setting.TWILIO_ACCOUNT_SID, ACCOUNT_SID, "an account SID (AC followed by 32 hex digits)");
    }

    public String authToken() {
        return require(Setting.TWILIO_AUTH_TOKEN);
    }

    /** The secondary auth token, or empty. */
    public String secondaryAuthToken() {
        return get(Setting.TWILIO_SECONDARY_AUTH_TOKEN);
    }

    /** The API key SID REST requests authenticate with, or empty for the account SID and auth token. */
    public String apiKeySid() {
        String value = get(Setting.TWILIO_API_KEY_SID);
        if (!value.isEmpty() && !API_KEY_SID.matcher(value).matches()) {
            throw new ConfigurationException(Setting.TWILIO_API_KEY_SID.name() + " must be an API key SID (SK followed by 32 hex digits), not '" + value + "'");
        }
        return value;
    }

    /** The API key's secret, or empty. */
    public String apiKeySecret() {
        return get(Setting.TWILIO_API_KEY_SECRET);
    }

    /** The Secrets Manager secret (ARN or name) the Twilio secrets are read from, or empty to read them from the environment. */
    public String twilioSecretId() {
        return get(Setting.TWILIO_SECRET_ID);
    }

    public String workspaceSid() {
        return matching(Setting.TASKROUTER_WORKSPACE_SID, WORKSPACE_SID, "a workspace SID (WS followed by 32 hex digits)");
    }

    public String workflowSid() {
        return matching(Setting.TASKROUTER_WORKFLOW_SID, WORKFLOW_SID, "a workflow SID (WW followed by 32 hex digits)");
    }

    public String callerId() {
        return matching(Setting.CALLER_ID, E164, "an E.164 number: +, the country code and up to 14 more digits");
    }

    public String tableName() {
        return require(Setting.TABLE_NAME);
    }

    /** The public base URL without a trailing slash. */
    public String publicBaseUrl() {
        return absoluteUrl(Setting.PUBLIC_BASE_URL);
    }

    /** The DynamoDB endpoint override, or {@code null} for the regional endpoint. */
    public URI dynamoDbEndpoint() {
        String value = get(Setting.DYNAMODB_ENDPOINT);
        return value.isEmpty() ? null : URI.create(absoluteUrl(Setting.DYNAMODB_ENDPOINT));
    }

    /** The Twilio REST base URL override, or {@code null} for Twilio's own hosts. */
    public String twilioApiBaseUrl() {
        String value = get(Setting.TWILIO_API_BASE_URL);
        return value.isEmpty() ? null : absoluteUrl(Setting.TWILIO_API_BASE_URL);
    }

    public int agentRingTimeoutSeconds() {
        String value = require(Setting.AGENT_RING_TIMEOUT);
        try {
            int seconds = Integer.parseInt(value);
            if (seconds >= 5 && seconds <= 600) {
                return seconds;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the variable's name
        }
        throw new ConfigurationException(Setting.AGENT_RING_TIMEOUT.name() + " must be a whole number of seconds from 5 to 600, not '" + value + "'");
    }

    /**
     * How long a transfer task may wait for its target, as the task's TaskRouter {@code Timeout}
     * (whose default is a day): 30 seconds to a day.
     */
    public int transferTimeoutSeconds() {
        String value = require(Setting.TRANSFER_TIMEOUT_SECONDS);
        try {
            int seconds = Integer.parseInt(value);
            if (seconds >= 30 && seconds <= 86_400) {
                return seconds;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the variable's name
        }
        throw new ConfigurationException(Setting.TRANSFER_TIMEOUT_SECONDS.name() + " must be a whole number of seconds from 30 to 86400, not '" + value + "'");
    }

    /** How long a wrap-up may last before the reconciler completes it: 0 (no limit), or 10 seconds to a day. */
    public int wrapUpSeconds() {
        int seconds = bounded(Setting.WRAP_UP_SECONDS, 0, 86_400);
        if (seconds > 0 && seconds < 10) {
            throw new ConfigurationException(Setting.WRAP_UP_SECONDS.name() + " must be 0 or from 10 to 86400, not " + seconds);
        }
        return seconds;
    }

    /** The most parties a call may have ({@code MAX_PARTIES}): 3 (one added party) to 250 (Twilio's conference limit). */
    public int maxParties() {
        return bounded(Setting.MAX_PARTIES, 3, 250);
    }

    /** The dispositions a wrap-up may end with; empty: any. */
    public java.util.List<String> wrapUpDispositions() {
        return SettingList.of(Setting.WRAP_UP_DISPOSITIONS, get(Setting.WRAP_UP_DISPOSITIONS), false,
                item -> item.matches("^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$"), "dispositions of 1 to 64 letters, digits, spaces, '_', '.' or '-'");
    }

    /** How long a customer may be held before the watchdog brings them back: 30 seconds to two hours. */
    public int maxHoldSeconds() {
        return bounded(Setting.MAX_HOLD_SECONDS, 30, 7_200);
    }

    /**
     * The reconciler's period, from an EventBridge rate expression: {@code rate(1 minute)},
     * {@code rate(5 minutes)}, {@code rate(2 hours)} (singular for 1, plural otherwise, as
     * EventBridge requires), from one minute to a day.
     */
    public java.time.Duration reconcilePeriod() {
        String value = require(Setting.RECONCILE_SCHEDULE);
        return rate(value).orElseThrow(() -> new ConfigurationException(Setting.RECONCILE_SCHEDULE.name()
                + " must be a rate expression from rate(1 minute) to rate(1 day), not '" + value + "'"));
    }

    /**
     * An EventBridge rate expression's period ({@code rate(1 minute)}, {@code rate(5 minutes)},
     * {@code rate(2 hours)}, {@code rate(1 day)}; singular for 1 and plural otherwise, as EventBridge
     * requires), from one minute to a day; empty for anything else.
     */
    public static Optional<java.time.Duration> rate(String expression) {
        java.util.regex.Matcher rate = RATE.matcher(expression == null ? "" : expression.trim());
        if (!rate.matches()) {
            return Optional.empty();
        }
        int amount = Integer.parseInt(rate.group(1));
        String unit = rate.group(2);
        if (amount < 1 || unit.endsWith("s") == (amount == 1)) {
            return Optional.empty();
        }
        java.time.Duration period = switch (unit.replaceAll("s$", "")) {
            case "minute" -> java.time.Duration.ofMinutes(amount);
            case "hour" -> java.time.Duration.ofHours(amount);
            default -> java.time.Duration.ofDays(amount);
        };
        return period.compareTo(java.time.Duration.ofDays(1)) <= 0 ? Optional.of(period) : Optional.empty();
    }

    private static final java.util.regex.Pattern RATE = java.util.regex.Pattern.compile("^rate\\((\\d{1,4}) (minute|minutes|hour|hours|day|days)\\)$");

    /** Seconds a record must have been still before the reconciler compares it: 0 to 600. */
    public int reconcileGraceSeconds() {
        return bounded(Setting.RECONCILE_GRACE_SECONDS, 0, 600);
    }

    /** The most Twilio requests one reconciler run makes: 2 to 100000. */
    public int reconcileMaxRequests() {
        return bounded(Setting.RECONCILE_MAX_REQUESTS, 2, 100_000);
    }

    private int bounded(Setting setting, int min, int max) {
        String value = require(setting);
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the variable's name
        }
        throw new ConfigurationException(setting.name() + " must be a whole number from " + min + " to " + max + ", not '" + value + "'");
    }

    /** The hold music: any absolute http(s) URL, query included (a signed storage URL, say). */
    public String holdMusicUrl() {
        String value = require(Setting.HOLD_MUSIC_URL);
        try {
            URI uri = URI.create(value);
            if (uri.getHost() != null && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                return value;
            }
        } catch (IllegalArgumentException e) {
            // reported below with the variable's name
        }
        throw new ConfigurationException(Setting.HOLD_MUSIC_URL.name() + " must be an absolute http(s) URL, not '" + value + "'");
    }

    /** The E.164 prefixes a transfer may dial, such as {@code +1} or {@code +4420}; empty when none may be dialled. */
    public java.util.List<String> dialPrefixes() {
        return SettingList.of(Setting.DIAL_PREFIXES, get(Setting.DIAL_PREFIXES), false, item -> item.matches("^\\+[1-9][0-9]{0,14}$"),
                "E.164 prefixes such as +1,+44");
    }

    /**
     * The E.164 prefixes never dialled, even inside {@link #dialPrefixes}: {@link Destinations#DEFAULT_DENY}
     * when unset, none when {@code none}.
     */
    public java.util.List<String> dialDenyPrefixes() {
        String value = get(Setting.DIAL_DENY_PREFIXES);
        try {
            return Destinations.prefixes(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(Setting.DIAL_DENY_PREFIXES.name() + " must list E.164 prefixes such as +1900,+449, or be none, not '" + value + "'");
        }
    }

    /**
     * The caller IDs an agent may choose ({@code OUTBOUND_CALLER_IDS}), with {@link #callerId} first
     * when it is set: the product's own caller ID is always allowed.
     */
    public java.util.List<String> outboundCallerIds() {
        java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
        String own = get(Setting.CALLER_ID);
        if (own != null && !own.isBlank()) {
            ids.add(callerId());
        }
        ids.addAll(SettingList.of(Setting.OUTBOUND_CALLER_IDS, get(Setting.OUTBOUND_CALLER_IDS), false, item -> E164.matcher(item).matches(),
                "E.164 numbers such as +14155550100,+442071838750"));
        return java.util.List.copyOf(ids);
    }

    /** The SIP domains a worker's {@code sip:} contact_uri may name, lower-cased; empty when none. */
    public java.util.List<String> sipDomains() {
        return SettingList.of(Setting.SIP_DOMAINS, get(Setting.SIP_DOMAINS), true,
                item -> item.matches("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"), "domain names such as example.sip.twilio.com");
    }

    /** Twilio's {@code TimeLimit} for a leg the product places to a number or a SIP address: a minute to a day. */
    public int externalCallTimeLimitSeconds() {
        return bounded(Setting.EXTERNAL_CALL_TIME_LIMIT_SECONDS, 60, 86_400);
    }

    /** How many calls one agent may have the product place in a minute: 1 to 10000. */
    public int agentDialsPerMinute() {
        return bounded(Setting.AGENT_DIALS_PER_MINUTE, 1, 10_000);
    }

    public String authWorkerClaim() {
        return require(Setting.AUTH_WORKER_CLAIM);
    }

    /** How the worker claim is bound to the authenticated user ({@code AUTH_WORKER_BINDING}). */
    public WorkerBinding authWorkerBinding() {
        String value = require(Setting.AUTH_WORKER_BINDING);
        return switch (value) {
            case "claim" -> WorkerBinding.CLAIM;
            case "worker-attribute" -> WorkerBinding.WORKER_ATTRIBUTE;
            default -> throw new ConfigurationException(Setting.AUTH_WORKER_BINDING.name() + " must be 'claim' or 'worker-attribute', not '" + value + "'");
        };
    }

    /** {@code AUTH_WORKER_BINDING}'s values. */
    public enum WorkerBinding {
        /** The worker claim is trusted as the identity provider issued it. */
        CLAIM,
        /** The worker's TaskRouter attribute {@code auth_sub} must equal the token's {@code sub}. */
        WORKER_ATTRIBUTE
    }

    public String authGroupsClaim() {
        return require(Setting.AUTH_GROUPS_CLAIM);
    }

    public String supervisorGroup() {
        return require(Setting.SUPERVISOR_GROUP);
    }

    public boolean agentWhisper() {
        return bool(Setting.AGENT_WHISPER);
    }

    public boolean recordConferences() {
        return bool(Setting.CONFERENCE_RECORD);
    }

    public boolean pauseRecordingOnHold() {
        return bool(Setting.PAUSE_RECORDING_ON_HOLD);
    }

    /** Twilio's {@code PauseBehavior} for a paused recording: {@code skip} or {@code silence}. */
    public String recordingPauseBehavior() {
        String value = require(Setting.RECORDING_PAUSE_BEHAVIOR);
        if (!value.equals("skip") && !value.equals("silence")) {
            throw new ConfigurationException(Setting.RECORDING_PAUSE_BEHAVIOR.name() + " must be skip or silence, not '" + value + "'");
        }
        return value;
    }

    private boolean bool(Setting setting) {
        String value = require(setting);
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigurationException(setting.name() + " must be true or false, not '" + value + "'");
        };
    }

    private String matching(Setting setting, Pattern pattern, String expected) {
        String value = require(setting);
        if (!pattern.matcher(value).matches()) {
            throw new ConfigurationException(setting.name() + " must be " + expected + ", not '" + value + "'");
        }
        return value;
    }

    private String absoluteUrl(Setting setting) {
        String value = require(setting);
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(setting.name() + " is not a URL: '" + value + "'");
        }
        String scheme = uri.getScheme();
        if (uri.getHost() == null || !("https".equals(scheme) || "http".equals(scheme)) || uri.getQuery() != null || uri.getFragment() != null) {
            throw new ConfigurationException(setting.name() + " must be an absolute http(s) URL without query or fragment, not '" + value + "'");
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }
}
