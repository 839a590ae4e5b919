package dev.callcontrol.calls;

import java.util.Locale;

/**
 * What a conference participant is to the call. Legs the product adds carry their role as the
 * participant label, optionally followed by the SIDs that identify them ({@code agent:WK…:WT…},
 * {@code supervisor:WK…}); labels must be unique in a conference, and the SIDs make them so.
 */
public enum Role {
    CUSTOMER, AGENT, SUPERVISOR, TRANSFER,
    /** An external number an agent added to the call ({@code POST /calls/{taskSid}/participants}); an added worker is an {@link #AGENT}. */
    PARTY,
    OTHER;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** This role's label qualified by SIDs, e.g. {@code agent:WK…:WT…}. */
    public String label(String... sids) {
        StringBuilder out = new StringBuilder(label());
        for (String sid : sids) {
            if (sid != null) {
                out.append(':').append(sid);
            }
        }
        return out.toString();
    }

    /** The role a participant label names, or null for a label the product did not give. */
    public static Role ofLabel(String label) {
        if (label == null) {
            return null;
        }
        int colon = label.indexOf(':');
        String head = colon < 0 ? label : label.substring(0, colon);
        for (Role role : values()) {
            if (role.label().equals(head) && role != OTHER) {
                return role;
            }
        }
        return null;
    }

    /** The SID in a label that starts with {@code prefix} ({@code WK}, {@code WT}), or null. */
    public static String sidInLabel(String label, String prefix) {
        if (label == null) {
            return null;
        }
        String[] parts = label.split(":");
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith(prefix) && parts[i].length() == 34) {
                return parts[i];
            }
        }
        return null;
    }
}
