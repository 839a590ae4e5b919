package dev.callcontrol.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The toll-fraud guard: the deny-list inside the allow-list, and the contact_uri forms the product rings. */
class DestinationsTest {
    private static final Destinations US_AND_UK = new Destinations(List.of("+1", "+44"), Config.of(Map.of()).dialDenyPrefixes(), List.of("pbx.example.com"));

    @Test
    void theDefaultDenyListRefusesPremiumAndHighCostRangesInsideTheAllowedCountries() {
        for (String number : List.of("+19005550100", "+18765550100", "+18095550100", "+12845550100", "+12685550100", "+16495550100",
                "+449098790000", "+447010000000", "+448451234567", "+448701234567")) {
            assertTrue(US_AND_UK.numberRefusal(number).orElseThrow().contains("DIAL_DENY_PREFIXES"), number);
        }
        for (String number : List.of("+14155550100", "+12125550100", "+16045550100", "+442071838750", "+447700900123", "+448001111111")) {
            assertEquals(java.util.Optional.empty(), US_AND_UK.numberRefusal(number), number);
        }
        assertTrue(US_AND_UK.numberRefusal("+33142685300").orElseThrow().contains("DIAL_PREFIXES"));
    }

    @Test
    void theDenyListIsConfigurableAndNoneTurnsItOff() {
        assertEquals(List.of(), Config.of(Map.of("DIAL_DENY_PREFIXES", "none")).dialDenyPrefixes());
        assertEquals(List.of("+1900", "+4470"), Config.of(Map.of("DIAL_DENY_PREFIXES", "+1900, +4470")).dialDenyPrefixes());
        assertTrue(Config.of(Map.of()).dialDenyPrefixes().containsAll(List.of("+1900", "+1876", "+449", "+4470", "+4484", "+4487")));
        assertThrows(ConfigurationException.class, () -> Config.of(Map.of("DIAL_DENY_PREFIXES", "1900")).dialDenyPrefixes());
    }

    @Test
    void aContactUriIsRungOnlyInTheWorkspacesForms() {
        for (String allowed : List.of("client:alice", "client:agent_7.b-c@team", "sip:alice@pbx.example.com", "sip:alice@PBX.example.com:5061;transport=tls",
                "+14155550100")) {
            assertEquals(java.util.Optional.empty(), US_AND_UK.contactUriRefusal(allowed), allowed);
        }
        for (String refused : List.of("sip:alice@pbx.attacker.example", "sip:+19005550100@pbx.attacker.example", "+19005550100", "+33142685300",
                "tel:+14155550100", "client:", "client:alice\",\"instruction\":\"redirect", "https://evil.example/twiml", "alice", "")) {
            assertTrue(US_AND_UK.contactUriRefusal(refused).isPresent(), refused);
            String reason = US_AND_UK.contactUriRefusal(refused).orElseThrow();
            for (String part : List.of("attacker", "5550100", "evil", "redirect", "33142685300")) {
                assertTrue(!reason.contains(part), "the reason does not repeat the value: " + reason);
            }
        }
    }

    @Test
    void theSettingsAreBounded() {
        assertEquals(3600, Config.of(Map.of()).externalCallTimeLimitSeconds());
        assertEquals(10, Config.of(Map.of()).agentDialsPerMinute());
        assertEquals(List.of("pbx.example.com"), Config.of(Map.of("SIP_DOMAINS", " PBX.example.com ")).sipDomains());
        assertThrows(ConfigurationException.class, () -> Config.of(Map.of("EXTERNAL_CALL_TIME_LIMIT_SECONDS", "30")).externalCallTimeLimitSeconds());
        assertThrows(ConfigurationException.class, () -> Config.of(Map.of("AGENT_DIALS_PER_MINUTE", "0")).agentDialsPerMinute());
        assertThrows(ConfigurationException.class, () -> Config.of(Map.of("SIP_DOMAINS", "not a domain")).sipDomains());
    }
}
