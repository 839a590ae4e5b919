package dev.callcontrol.calls;

import java.util.Locale;

/** What a conference participant is to the call. Product-made legs carry the role as their label. */
public enum Role {
    CUSTOMER, AGENT, SUPERVISOR, TRANSFER, OTHER;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role a participant label names, or null for a label the product did not give. */
    public static Role ofLabel(String label) {
        if (label == null) {
            return null;
        }
        for (Role role : values()) {
            if (role.label().equals(label) && role != OTHER) {
                return role;
            }
        }
        return null;
    }
}
