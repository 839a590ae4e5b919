package dev.callcontrol.local.scenario;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log check every scenario runs with: it sees what the product logs, and it knows a leak when it sees one. */
class PersonalDataInLogsTest {
    private static final String TOKEN = "local-auth-token";
    private static final String ACCOUNT = "AC00000000000000000000000000000001";

    @Test
    void fullNumbersTheTokenAndTheBasicCredentialsAreLeaks() {
        List<String> leaks = PersonalDataInLogs.leaks(List.of(
                "{\"message\":\"dialling +14155550123\"}",
                "{\"message\":\"To=%2B14155550123&From=%2B15005550006\"}",
                "{\"message\":\"caller 14155550123 waited\"}",
                "{\"message\":\"json \\u002B14155550123\"}",
                "{\"message\":\"token local-auth-token\"}",
                "{\"message\":\"Authorization: Basic QUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMTpsb2NhbC1hdXRoLXRva2Vu\"}"), TOKEN, ACCOUNT);
        assertEquals(6, leaks.size(), leaks.toString());
    }

    @Test
    void sidsMaskedNumbersAndTimesAreNot() {
        List<String> leaks = PersonalDataInLogs.leaks(List.of(
                "{\"message\":\"Customer held\",\"CallSid\":\"CA00000000000000000000000000001038\",\"TaskSid\":\"WT0123456789012345678901234567890a\"}",
                "{\"message\":\"dialling +14*******23\",\"timestamp\":\"2026-11-23T23:58:55.703Z\"}",
                "{\"message\":\"Twilio failed holding (20500), attempt 2 of 5\",\"SequenceNumber\":\"12\"}",
                "{\"function_arn\":\"arn:aws:lambda:us-east-1:123456789012:function:HoldFunction\"}",
                "{\"function_request_id\":\"b002deba-dd22-47aa-87bf-425922228739\"}"), TOKEN, ACCOUNT);
        assertEquals(List.of(), leaks);
    }

    @Test
    void theCaptureSeesTheProductsLogLinesAsTheLayoutWritesThem() {
        PersonalDataInLogs.install();
        LoggerFactory.getLogger("dev.callcontrol.calls.CallControl").warn("capture check +14155550177");
        List<String> lines = PersonalDataInLogs.captured().stream().filter(l -> l.contains("capture check")).toList();
        assertEquals(1, lines.size(), PersonalDataInLogs.captured().toString());
        assertTrue(lines.get(0).contains("\"level\":\"WARN\""), lines.get(0));
        assertEquals(1, PersonalDataInLogs.leaks(lines, TOKEN, ACCOUNT).size());
    }
}
