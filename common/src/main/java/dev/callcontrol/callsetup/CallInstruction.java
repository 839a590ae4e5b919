package dev.callcontrol.callsetup;

/**
 * TaskRouter's {@code call} instruction, used for transfer tasks: ring the worker and, when they
 * answer, fetch {@code url} for the TwiML that joins them to the call's existing conference.
 * The product gives {@code accept} false and accepts the reservation itself when the leg answers:
 * Twilio documents {@code CallAccept} two ways (on answer, or before the call is placed), and
 * only accepting once the worker is on the line is safe under both (docs/decisions.md).
 *
 * @param from              caller ID shown to the agent
 * @param to                the worker's contact URI
 * @param url               TwiML for the answered leg
 * @param statusCallbackUrl where Twilio reports the leg's end, so that an unanswered transfer is noticed
 * @param timeoutSeconds    how long to ring
 * @param accept            ask TaskRouter to accept the reservation ({@code CallAccept})
 */
public record CallInstruction(String from, String to, String url, String statusCallbackUrl, int timeoutSeconds, boolean accept)
        implements Instruction {
}
