package dev.callcontrol.logging;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Masks personal data before it reaches a log line: phone numbers and SIP/client identities. */
public final class Redact {
    private static final Pattern PHONE = Pattern.compile("\\+?\\d[\\d\\-\\s().]{5,}\\d");

    private Redact() {
    }

    /**
     * A phone number with everything but its first three and last two characters masked
     * ({@code +14155550123} becomes {@code +14*******23}); {@code client:} and {@code sip:}
     * addresses keep their scheme and first character only.
     */
    public static String phone(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        int colon = value.indexOf(':');
        if (colon > 0 && !value.startsWith("+")) {
            String rest = value.substring(colon + 1);
            return value.substring(0, colon + 1) + (rest.isEmpty() ? "" : rest.charAt(0) + "***");
        }
        if (value.length() <= 5) {
            return "*".repeat(value.length());
        }
        return value.substring(0, 3) + "*".repeat(value.length() - 5) + value.substring(value.length() - 2);
    }

    /** Masks every phone-number-like run of digits inside free text. */
    public static String text(String value) {
        if (value == null) {
            return null;
        }
        Matcher matcher = PHONE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(phone(matcher.group())));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
