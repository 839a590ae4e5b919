package dev.callcontrol.callsetup;

/** The product will not take this reservation; TaskRouter falls back to its fallback URL. */
public final class AssignmentRejected extends RuntimeException {
    public enum Reason {
        MISSING_CONTACT_URI,
        MALFORMED_TRANSFER,
        /** An outbound task's {@code outbound_to} is not an E.164 number. */
        INVALID_NUMBER,
        /** An outbound task's {@code outbound_to} is outside {@code DIAL_PREFIXES} (toll-fraud guard). */
        DESTINATION_NOT_ALLOWED
    }

    private final Reason reason;

    public AssignmentRejected(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
