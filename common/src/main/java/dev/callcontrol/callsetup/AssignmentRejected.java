package dev.callcontrol.callsetup;

/** The product will not take this reservation; TaskRouter falls back to its fallback URL. */
public final class AssignmentRejected extends RuntimeException {
    public enum Reason { MISSING_CONTACT_URI, MALFORMED_TRANSFER }

    private final Reason reason;

    public AssignmentRejected(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
