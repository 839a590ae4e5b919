package dev.callcontrol.local.scenario;

import dev.callcontrol.local.LocalDefaults;
import dev.callcontrol.testing.LogLines;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Captures every log line the product writes while a scenario runs, exactly as the JSON encoder
 * writes it for CloudWatch (message, MDC fields, exception and stack trace), and fails the
 * scenario if a line holds a full phone number or the Twilio auth token, plain or inside the
 * Basic credentials. Every {@link CallCentreScenario} runs with it.
 */
public final class PersonalDataInLogs implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {
    /**
     * A full phone number: E.164, written with {@code +} or URL-encoded, or its bare digits
     * (Twilio's parameters sometimes drop the plus). Not a run of digits inside a SID or a longer
     * number, an ISO timestamp's parts, the account ID between an ARN's colons, or a UUID's last group.
     */
    static final Pattern PHONE = Pattern.compile(
            "(?<![0-9A-Za-z])(?:\\+|%2B|\\\\u002B)[1-9]\\d{7,14}(?![0-9A-Za-z])|(?<![0-9A-Za-z:-])[1-9]\\d{9,14}(?![0-9A-Za-z:-])");
    private static final ConcurrentLinkedQueue<String> LINES = new ConcurrentLinkedQueue<>();
    private static volatile boolean installed;

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        LINES.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> lines = new ArrayList<>(LINES);
        List<String> leaks = leaks(lines, LocalDefaults.AUTH_TOKEN, LocalDefaults.ACCOUNT_SID);
        // REST requests authenticate with the local API key: its secret, plain or in the Basic credentials, is a secret too.
        String keyBasic = Base64.getEncoder().encodeToString((LocalDefaults.API_KEY_SID + ":" + LocalDefaults.API_KEY_SECRET).getBytes(StandardCharsets.UTF_8));
        for (String line : lines) {
            if (line.contains(LocalDefaults.API_KEY_SECRET) || line.contains(keyBasic)) {
                leaks.add("API key secret: " + line);
            }
        }
        LINES.clear();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " log line(s) with personal data or a secret, e.g.\n" + String.join("\n", leaks.subList(0, Math.min(5, leaks.size()))));
        }
    }

    /** How many lines have been captured since the last scenario began (for the self-test). */
    static List<String> captured() {
        return new ArrayList<>(LINES);
    }

    /** The lines that hold a full phone number, the auth token or the Basic credentials built from it. */
    static List<String> leaks(List<String> lines, String authToken, String accountSid) {
        String basic = Base64.getEncoder().encodeToString((accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8));
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            Matcher phone = PHONE.matcher(line);
            if (phone.find()) {
                out.add("phone number " + phone.group() + ": " + line);
            } else if (line.contains(authToken) || line.contains(basic)) {
                out.add("auth token: " + line);
            }
        }
        return out;
    }

    /** Captures every line the product logs, with its own encoder ({@link LogLines}). */
    static synchronized void install() {
        if (installed) {
            return;
        }
        LogLines.capture(LINES::add);
        installed = true;
    }
}
