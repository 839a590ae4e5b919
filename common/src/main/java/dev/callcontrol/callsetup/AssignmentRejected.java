package dev.callcontrol.callsetup;

/**
 * The product will not take this reservation. {@link AssignmentRefusal} answers TaskRouter so that
 * no agent pays for it: a task nobody can take is canceled, a worker who cannot be rung is passed over.
 */
public final class AssignmentRejected extends RuntimeException {
    public enum Reason {
        /** The worker has no {@code contact_uri}: no task can reach them, every other worker may take it. */
        MISSING_CONTACT_URI(false),
        /**
         * The worker's {@code contact_uri} is not in a form the product rings (client:, sip: on
         * SIP_DOMAINS, a number under the dial guard): passed over as a worker with none.
         */
        INVALID_CONTACT_URI(false),
        /** A transfer task's attributes do not say where the call is or who asked: nobody can take it. */
        MALFORMED_TRANSFER(true),
        /** An outbound task's {@code outbound_to} is not an E.164 number. */
        INVALID_NUMBER(true),
        /** An outbound task's {@code outbound_to} is outside {@code DIAL_PREFIXES} or inside {@code DIAL_DENY_PREFIXES} (toll-fraud guard). */
        DESTINATION_NOT_ALLOWED(true),
        /** An outbound task's {@code outbound_from} is not one of {@code OUTBOUND_CALLER_IDS}. */
        CALLER_ID_NOT_ALLOWED(true);

        private final boolean ofTheTask;

        Reason(boolean ofTheTask) {
            this.ofTheTask = ofTheTask;
        }

        /** Whether the problem is the task's (no worker could take it) rather than this worker's. */
        public boolean ofTheTask() {
            return ofTheTask;
        }
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
