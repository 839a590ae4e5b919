package dev.callcontrol.config;

import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {
    private static Config with(String name, String value) {
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return Config.of(env);
    }

    @Test
    void missingRequiredSettingNamesTheVariable() {
        var error = assertThrows(ConfigurationException.class, () -> with("TWILIO_AUTH_TOKEN", null).authToken());
        assertTrue(error.getMessage().contains("TWILIO_AUTH_TOKEN"), error.getMessage());
        var blank = assertThrows(ConfigurationException.class, () -> with("PUBLIC_BASE_URL", "  ").publicBaseUrl());
        assertTrue(blank.getMessage().contains("PUBLIC_BASE_URL"), blank.getMessage());
    }

    @Test
    void malformedSidsAreRefusedWithTheirName() {
        var error = assertThrows(ConfigurationException.class, () -> with("TWILIO_ACCOUNT_SID", "AC123").accountSid());
        assertTrue(error.getMessage().startsWith("TWILIO_ACCOUNT_SID must be an account SID"), error.getMessage());
        assertThrows(ConfigurationException.class, () -> with("TASKROUTER_WORKSPACE_SID", "WW00000000000000000000000000000001").workspaceSid());
        assertThrows(ConfigurationException.class, () -> with("CALLER_ID", "5551234").callerId());
    }

    @Test
    void publicBaseUrlLosesItsTrailingSlashAndMustBeAbsolute() {
        assertEquals("https://calls.example.com/prod", with("PUBLIC_BASE_URL", "https://calls.example.com/prod/").publicBaseUrl());
        assertThrows(ConfigurationException.class, () -> with("PUBLIC_BASE_URL", "calls.example.com").publicBaseUrl());
        assertThrows(ConfigurationException.class, () -> with("PUBLIC_BASE_URL", "https://calls.example.com/?x=1").publicBaseUrl());
        assertThrows(ConfigurationException.class, () -> with("PUBLIC_BASE_URL", "ftp://calls.example.com").publicBaseUrl());
    }

    @Test
    void optionalSettingsFallBackToTheirDefaults() {
        Config config = Config.of(Webhooks.localEnvironment());
        assertNull(config.dynamoDbEndpoint());
        assertNull(config.twilioApiBaseUrl());
        assertEquals(20, config.agentRingTimeoutSeconds());
        assertEquals(false, config.recordConferences());
        assertEquals("http://127.0.0.1:3001", with("TWILIO_API_BASE_URL", "http://127.0.0.1:3001/").twilioApiBaseUrl());
    }

    @Test
    void numbersAndBooleansAreChecked() {
        assertEquals(45, with("AGENT_RING_TIMEOUT", "45").agentRingTimeoutSeconds());
        assertThrows(ConfigurationException.class, () -> with("AGENT_RING_TIMEOUT", "soon").agentRingTimeoutSeconds());
        assertThrows(ConfigurationException.class, () -> with("AGENT_RING_TIMEOUT", "2").agentRingTimeoutSeconds());
        assertEquals(120, with("AGENT_RING_TIMEOUT", "45").transferTimeoutSeconds(), "the default");
        assertEquals(300, with("TRANSFER_TIMEOUT_SECONDS", "300").transferTimeoutSeconds());
        assertThrows(ConfigurationException.class, () -> with("TRANSFER_TIMEOUT_SECONDS", "10").transferTimeoutSeconds());
        assertThrows(ConfigurationException.class, () -> with("TRANSFER_TIMEOUT_SECONDS", "a day").transferTimeoutSeconds());
        assertEquals(true, with("CONFERENCE_RECORD", "TRUE").recordConferences());
        assertThrows(ConfigurationException.class, () -> with("CONFERENCE_RECORD", "yes").recordConferences());
    }

    @Test
    void recordingPausesAreOffOnHoldAndSilentByDefault() {
        Config config = Config.of(Webhooks.localEnvironment());
        assertEquals(false, config.pauseRecordingOnHold());
        assertEquals("silence", config.recordingPauseBehavior());
        assertEquals(true, with("PAUSE_RECORDING_ON_HOLD", "true").pauseRecordingOnHold());
        assertEquals("skip", with("RECORDING_PAUSE_BEHAVIOR", "skip").recordingPauseBehavior());
        assertThrows(ConfigurationException.class, () -> with("RECORDING_PAUSE_BEHAVIOR", "mute").recordingPauseBehavior());
        assertThrows(ConfigurationException.class, () -> with("PAUSE_RECORDING_ON_HOLD", "on").pauseRecordingOnHold());
    }

    @Test
    void theReconcilersScheduleIsAnEventBridgeRateAndItsBoundsAreChecked() {
        assertEquals(java.time.Duration.ofMinutes(1), with("AGENT_RING_TIMEOUT", "45").reconcilePeriod(), "the default");
        assertEquals(java.time.Duration.ofMinutes(5), with("RECONCILE_SCHEDULE", "rate(5 minutes)").reconcilePeriod());
        assertEquals(java.time.Duration.ofHours(1), with("RECONCILE_SCHEDULE", "rate(1 hour)").reconcilePeriod());
        for (String refused : new String[] {"rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(2 days)", "cron(* * * * ? *)", "every minute"}) {
            ConfigurationException error = assertThrows(ConfigurationException.class, () -> with("RECONCILE_SCHEDULE", refused).reconcilePeriod(), refused);
            assertTrue(error.getMessage().contains("RECONCILE_SCHEDULE"), error.getMessage());
        }
        assertEquals(20, with("AGENT_RING_TIMEOUT", "45").reconcileGraceSeconds());
        assertEquals(0, with("RECONCILE_GRACE_SECONDS", "0").reconcileGraceSeconds());
        assertThrows(ConfigurationException.class, () -> with("RECONCILE_GRACE_SECONDS", "-1").reconcileGraceSeconds());
        assertEquals(600, with("AGENT_RING_TIMEOUT", "45").reconcileMaxRequests());
        assertThrows(ConfigurationException.class, () -> with("RECONCILE_MAX_REQUESTS", "1").reconcileMaxRequests());
        assertThrows(ConfigurationException.class, () -> with("RECONCILE_MAX_REQUESTS", "many").reconcileMaxRequests());
    }

    @Test
    void dialPrefixesAreE164PrefixesAndNoneByDefault() {
        assertEquals(java.util.List.of(), Config.of(Webhooks.localEnvironment()).dialPrefixes());
        assertEquals(java.util.List.of("+1", "+4420"), with("DIAL_PREFIXES", " +1, +4420 ").dialPrefixes());
        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> with("DIAL_PREFIXES", "+1,44").dialPrefixes());
        assertTrue(refused.getMessage().contains("DIAL_PREFIXES"), refused.getMessage());
    }
}
