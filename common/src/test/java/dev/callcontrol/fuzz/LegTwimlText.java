package dev.callcontrol.fuzz;

/**
 * What a text given to the TwiML builders must read back as once the TwiML is parsed: itself, less
 * the characters XML 1.0 cannot hold (control characters but tab, LF and CR; unpaired surrogates;
 * U+FFFE and U+FFFF), which the product drops.
 */
final class LegTwimlText {
    private LegTwimlText() {
    }

    /** Text content. */
    static String expected(String text) {
        return legal(text);
    }

    /** An attribute value. */
    static String expectedAttribute(String text) {
        return legal(text);
    }

    /** The text with only the characters XML 1.0 allows. */
    static String legal(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (c == '\t' || c == '\n' || c == '\r' || (c >= ' ' && c < 0xD800) || (c >= 0xE000 && c < 0xFFFE)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
