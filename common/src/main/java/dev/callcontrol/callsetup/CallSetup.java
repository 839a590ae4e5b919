package dev.callcontrol.callsetup;

import dev.callcontrol.config.Destinations;
import dev.callcontrol.twilio.WebhookUrls;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The blueprint's first flow, "call setup using a Conference bridge": answer a voice reservation
 * with the {@code conference} instruction so that TaskRouter rings the agent and moves the caller
 * into a conference named by the task SID. Pure: no network, because TaskRouter allows the
 * callback five seconds, cold start included.
 */
public final class CallSetup {
    /**
     * Conference events the product follows: the conference's start and end, membership, hold and
     * mute changes. Only values of TaskRouter's enum for the {@code conference} instruction
     * ({@code task_reservation_enum_conference_event} in {@code twilio_taskrouter_v1.json}: start,
     * end, join, leave, mute, hold, speaker), so TaskRouter never refuses the instruction; the
     * same list serves the whisper's {@code <Conference>}. Coaching changes, which only
     * {@code modify} would report, are the product's own requests and are recorded as it makes them.
     */
    public static final List<String> CONFERENCE_EVENTS = List.of("start", "end", "join", "leave", "mute", "hold");
    public static final String CONFERENCE_EVENTS_PATH = "/twilio/conference-events";
    public static final String TRANSFER_LEG_PATH = "/twilio/transfer-leg";
    public static final String CALL_EVENTS_PATH = "/twilio/call-events";
    public static final String AGENT_WHISPER_PATH = "/twilio/agent-whisper";
    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");

    private final String callerId;
    private final String publicBaseUrl;
    private final int agentRingTimeoutSeconds;
    private final boolean recordConferences;
    private final boolean agentWhisper;
    private final Destinations destinations;

    public CallSetup(String callerId, String publicBaseUrl, int agentRingTimeoutSeconds, boolean recordConferences) {
        this(callerId, publicBaseUrl, agentRingTimeoutSeconds, recordConferences, false);
    }

    public CallSetup(String callerId, String publicBaseUrl, int agentRingTimeoutSeconds, boolean recordConferences, boolean agentWhisper) {
        this(callerId, publicBaseUrl, agentRingTimeoutSeconds, recordConferences, agentWhisper, List.of());
    }

    /**
     * @param agentWhisper answer inbound calls with the {@code call} instruction instead, whose TwiML
     *                     whispers a summary to the agent before joining them; the caller stays in
     *                     the queue, hearing its music, until the agent is in the conference
     * @param dialPrefixes the E.164 prefixes an outbound task's {@code outbound_to} may start with
     *                     ({@code DIAL_PREFIXES}); the conference instruction makes TaskRouter dial it
     */
    public CallSetup(String callerId, String publicBaseUrl, int agentRingTimeoutSeconds, boolean recordConferences, boolean agentWhisper,
                     List<String> dialPrefixes) {
        this(callerId, publicBaseUrl, agentRingTimeoutSeconds, recordConferences, agentWhisper, Destinations.allowing(dialPrefixes));
    }

    /**
     * @param destinations what may be dialled ({@code DIAL_PREFIXES}, {@code DIAL_DENY_PREFIXES},
     *                     {@code SIP_DOMAINS}): an outbound task's {@code outbound_to}, which the
     *                     conference instruction makes TaskRouter dial, and the worker's
     *                     {@code contact_uri}, which every instruction makes TaskRouter ring
     */
    public CallSetup(String callerId, String publicBaseUrl, int agentRingTimeoutSeconds, boolean recordConferences, boolean agentWhisper,
                     Destinations destinations) {
        this.callerId = callerId;
        this.publicBaseUrl = publicBaseUrl;
        this.agentRingTimeoutSeconds = agentRingTimeoutSeconds;
        this.recordConferences = recordConferences;
        this.agentWhisper = agentWhisper;
        this.destinations = destinations;
    }

    /**
     * The instruction for a reservation, or empty when the task is not a call (another channel's
     * application accepts those reservations itself). A call's own task gets the {@code conference}
     * instruction; a transfer task gets the {@code call} instruction, because its customer is
     * already in a conference: the worker's answered leg joins that one. A {@code call} instruction
     * never asks TaskRouter to accept: the product accepts the reservation, named in the leg's URLs,
     * once the worker answers ({@code calls.LegAcceptance}).
     */
    public Optional<Instruction> answer(TaskAssignment assignment) {
        if (assignment.isTransfer()) {
            return Optional.of(transfer(assignment));
        }
        if (!assignment.isVoice()) {
            return Optional.empty();
        }
        String outboundTo = assignment.outboundTo();
        if (outboundTo != null) {
            // Anyone who can create a task in the workspace can write outbound_to: the same guard as POST /calls.
            if (!E164.matcher(outboundTo).matches()) {
                throw new AssignmentRejected(AssignmentRejected.Reason.INVALID_NUMBER,
                        "outbound task " + assignment.taskSid() + " has an outbound_to that is not an E.164 number");
            }
            destinations.numberRefusal(outboundTo).ifPresent(reason -> {
                throw new AssignmentRejected(AssignmentRejected.Reason.DESTINATION_NOT_ALLOWED,
                        "outbound task " + assignment.taskSid() + " asks to dial a number the product may not dial: " + reason);
            });
        }
        String outboundFrom = assignment.outboundFrom();
        if (outboundTo != null && outboundFrom != null) {
            // Written by POST /calls after the same check; anyone who can create a task could write it too.
            if (!E164.matcher(outboundFrom).matches() || destinations.callerIdRefusal(outboundFrom).isPresent()) {
                throw new AssignmentRejected(AssignmentRejected.Reason.CALLER_ID_NOT_ALLOWED,
                        "outbound task " + assignment.taskSid() + " asks for a caller ID that is not one of OUTBOUND_CALLER_IDS");
            }
        }
        String contactUri = contactUri(assignment);
        String from = outboundTo != null && outboundFrom != null ? outboundFrom : Optional.ofNullable(assignment.calledNumber()).orElse(callerId);
        if (agentWhisper && assignment.outboundTo() == null) {
            String call = "?call=" + assignment.taskSid();
            String reservation = "&reservation=" + assignment.reservationSid();
            return Optional.of(new CallInstruction(from, contactUri,
                    WebhookUrls.withRetries(publicBaseUrl + AGENT_WHISPER_PATH + call + "&worker=" + assignment.workerSid() + reservation),
                    WebhookUrls.withRetries(publicBaseUrl + CALL_EVENTS_PATH + call + "&task=" + assignment.taskSid() + reservation),
                    agentRingTimeoutSeconds,
                    false));
        }
        return Optional.of(new ConferenceInstruction(
                from,
                contactUri,
                agentRingTimeoutSeconds,
                recordConferences,
                WebhookUrls.withRetries(publicBaseUrl + CONFERENCE_EVENTS_PATH),
                CONFERENCE_EVENTS,
                false,
                true,
                false));
    }

    private CallInstruction transfer(TaskAssignment assignment) {
        String callTask = assignment.transferCallTaskSid();
        if (callTask == null) {
            throw new AssignmentRejected(AssignmentRejected.Reason.MALFORMED_TRANSFER,
                    "transfer task " + assignment.taskSid() + " does not name the call it transfers (transfer.call_task_sid)");
        }
        String contactUri = contactUri(assignment);
        String from = Optional.ofNullable(assignment.calledNumber()).orElse(callerId);
        String leg = "?call=" + callTask + "&task=" + assignment.taskSid();
        String reservation = "&reservation=" + assignment.reservationSid();
        return new CallInstruction(from, contactUri,
                WebhookUrls.withRetries(publicBaseUrl + TRANSFER_LEG_PATH + leg + "&worker=" + assignment.workerSid() + reservation),
                WebhookUrls.withRetries(publicBaseUrl + CALL_EVENTS_PATH + leg + reservation),
                agentRingTimeoutSeconds,
                false);
    }

    private String contactUri(TaskAssignment assignment) {
        String contactUri = assignment.workerContactUri();
        if (contactUri == null) {
            throw new AssignmentRejected(AssignmentRejected.Reason.MISSING_CONTACT_URI,
                    "worker " + assignment.workerSid() + " has no contact_uri attribute to ring");
        }
        // Toll-fraud guard: whoever can edit worker attributes could point TaskRouter at any number.
        destinations.contactUriRefusal(contactUri).ifPresent(reason -> {
            throw new AssignmentRejected(AssignmentRejected.Reason.INVALID_CONTACT_URI,
                    "worker " + assignment.workerSid() + " has a contact_uri the product will not ring: " + reason);
        });
        return contactUri;
    }
}
