package dev.callcontrol.callsetup;

/**
 * TaskRouter's {@code call} instruction, used for transfer tasks: ring the worker and, when they
 * answer, fetch {@code url} for the TwiML that joins them to the call's existing conference.
 * {@code accept} must be true, or the reservation stays pending until it times out.
 *
 * @param from              caller ID shown to the agent
 * @param to                the worker's contact URI
 * @param url               TwiML for the answered leg
 * @param statusCallbackUrl where Twilio reports the leg's end, so that an unanswered transfer is noticed
 * @param timeoutSeconds    how long to ring
 * @param accept            accept the reservation when the worker answers
 */
public record CallInstruction(String from, String to, String url, String statusCallbackUrl, int timeoutSeconds, boolean accept)
        implements Instruction {
}
