package dev.callcontrol.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A setting that lists values separated by commas ({@code DIAL_PREFIXES}, {@code SIP_DOMAINS},
 * {@code OUTBOUND_CALLER_IDS}, {@code WRAP_UP_DISPOSITIONS}): each item trimmed, empty items
 * skipped, and the first item that is not well formed refused at start, naming the variable.
 */
final class SettingList {
    private SettingList() {
    }

    /**
     * The items of {@code value}, lower-cased when {@code lowerCase}; a {@link ConfigurationException}
     * saying "{@code NAME} must list {@code expected}, not '...'" for the first item {@code valid} refuses.
     */
    static List<String> of(Setting setting, String value, boolean lowerCase, Predicate<String> valid, String expected) {
        List<String> out = new ArrayList<>();
        for (String part : (value == null ? "" : value).split(",")) {
            String item = lowerCase ? part.trim().toLowerCase(Locale.ROOT) : part.trim();
            if (item.isEmpty()) {
                continue;
            }
            if (!valid.test(item)) {
                throw new ConfigurationException(setting.name() + " must list " + expected + ", not '" + item + "'");
            }
            out.add(item);
        }
        return List.copyOf(out);
    }
}
