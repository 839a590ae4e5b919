package dev.callcontrol.callsetup;

import java.util.List;

/**
 * TaskRouter's {@code conference} instruction: ring the worker, then bridge the customer into a
 * conference named by the task SID. Field names follow the domain; the adapter writes Twilio's
 * snake_case.
 *
 * @param from                         caller ID shown to the agent
 * @param to                           the worker's contact URI
 * @param timeoutSeconds               how long to ring the agent
 * @param record                       record the conference from the start
 * @param statusCallbackUrl            where Twilio posts conference events (only the first participant's counts)
 * @param statusCallbackEvents         which conference events to post
 * @param endConferenceOnExit          the agent leaving ends the conference (false: transfers keep it up)
 * @param endConferenceOnCustomerExit  the customer leaving ends it
 * @param beep                         beep when participants join or leave
 */
public record ConferenceInstruction(
        String from,
        String to,
        int timeoutSeconds,
        boolean record,
        String statusCallbackUrl,
        List<String> statusCallbackEvents,
        boolean endConferenceOnExit,
        boolean endConferenceOnCustomerExit,
        boolean beep) implements Instruction {

    public ConferenceInstruction {
        statusCallbackEvents = List.copyOf(statusCallbackEvents);
    }
}
