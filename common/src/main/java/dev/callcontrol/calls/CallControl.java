package dev.callcontrol.calls;

import dev.callcontrol.agent.Principal;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.metrics.CallMetrics;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Call control in the blueprint's terms, the one door the handlers use: what agents and
 * supervisors ask for, and what the product does when Twilio reports a change. Each flow lives in
 * a class of its own, in the blueprint's order: {@link Hold}, {@link ColdTransfer},
 * {@link WarmTransfers} (with {@link WarmTransferEvents}), {@link Supervision}, {@link Outbound},
 * {@link Hangup}, {@link PreCallWhisper} and the {@link ConferencePolicy} (who joins and leaves,
 * the last-agent rule). Shared steps have one place each: {@link CallLookup} (the call a command is
 * about), {@link TransferTargets} (where a call may go) and {@link Requeue}. The flows talk only to
 * their ports: {@link CallRecords} for state and {@link Telephony} for Twilio. Independent Twilio
 * requests go out side by side; each step that depends on another waits for it.
 */
public final class CallControl {
    /** Transfer tasks jump the queue of fresh calls: the customer has already waited once. */
    public static final int TRANSFER_PRIORITY = 10;
    /** A customer whose transfer failed goes back in the queue ahead of everyone else. */
    public static final int REQUEUE_PRIORITY = 20;
    /** An agent's own outbound call goes ahead of anything else waiting for them. */
    public static final int OUTBOUND_PRIORITY = 50;

    /** Paths of the product's own routes that Twilio is sent to. */
    public static final String HOLD_MUSIC_PATH = "/twilio/hold-music";
    public static final String SUPERVISOR_LEG_PATH = "/twilio/supervisor-leg";
    public static final String CALL_EVENTS_PATH = "/twilio/call-events";
    /** Announcements played to one participant ({@code AnnounceUrl}), named by {@code ?say=}. */
    public static final String ANNOUNCEMENT_PATH = "/twilio/announcement";
    /** The agent hears that the customer they held is back ({@code MAX_HOLD_SECONDS}). */
    public static final String ANNOUNCE_HOLD_LIMIT = "hold-limit";

    /** Supervisor modes and how each one is heard. */
    public enum Mode {
        /** Hears both sides, heard by nobody. */
        MONITOR(true, false),
        /** Heard by the agent only. */
        WHISPER(false, true),
        /** Heard by everyone. */
        BARGE(false, false);

        final boolean muted;
        final boolean coaching;

        Mode(boolean muted, boolean coaching) {
            this.muted = muted;
            this.coaching = coaching;
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The mode a request names, or a 400 that lists the modes. */
        public static Mode of(String name) {
            for (Mode mode : values()) {
                if (mode.label().equals(name)) {
                    return mode;
                }
            }
            throw HttpError.badRequest("mode must be \"monitor\", \"whisper\" or \"barge\"");
        }
    }

    /**
     * What call control needs to know about its deployment.
     *
     * @param publicBaseUrl      where Twilio reaches the product's routes
     * @param callerId           caller ID of the calls the product places
     * @param ringTimeoutSeconds how long to ring a supervisor or an external number
     * @param numberPrefixes     E.164 prefixes a transfer may dial; none when empty
     * @param transferTimeoutSeconds how long a transfer task waits for its target before TaskRouter
     *                           cancels it and the customer goes back ({@code TRANSFER_TIMEOUT_SECONDS})
     * @param destinations       what may be dialled: numbers under the allow-list and outside the deny-list,
     *                           contact URIs in the workspace's forms (toll-fraud guard)
     * @param dialsPerMinute     calls one agent may have the product place in a minute ({@code AGENT_DIALS_PER_MINUTE})
     * @param recording          pausing the conference's recording ({@code PAUSE_RECORDING_ON_HOLD}, {@code RECORDING_PAUSE_BEHAVIOR})
     */
    public record Settings(String publicBaseUrl, String callerId, int ringTimeoutSeconds, List<String> numberPrefixes,
                           int transferTimeoutSeconds, dev.callcontrol.config.Destinations destinations, int dialsPerMinute,
                           RecordingPolicy recording) {
        /** The default transfer timeout, as {@code TRANSFER_TIMEOUT_SECONDS} has it. */
        public static final int TRANSFER_TIMEOUT_SECONDS = 120;
        /** The default dial rate, as {@code AGENT_DIALS_PER_MINUTE} has it. */
        public static final int DIALS_PER_MINUTE = 10;

        public Settings {
            numberPrefixes = List.copyOf(numberPrefixes);
        }

        /** With the recording left alone on hold, paused with Twilio's default behaviour. */
        public Settings(String publicBaseUrl, String callerId, int ringTimeoutSeconds, List<String> numberPrefixes,
                        int transferTimeoutSeconds, dev.callcontrol.config.Destinations destinations, int dialsPerMinute) {
            this(publicBaseUrl, callerId, ringTimeoutSeconds, numberPrefixes, transferTimeoutSeconds, destinations, dialsPerMinute,
                    RecordingPolicy.DEFAULT);
        }

        /** The same settings with another recording policy. */
        public Settings withRecording(RecordingPolicy policy) {
            return new Settings(publicBaseUrl, callerId, ringTimeoutSeconds, numberPrefixes, transferTimeoutSeconds, destinations, dialsPerMinute, policy);
        }

        /** {@code numberPrefixes} under the default deny-list ({@code DIAL_DENY_PREFIXES}), at the default dial rate. */
        public Settings(String publicBaseUrl, String callerId, int ringTimeoutSeconds, List<String> numberPrefixes, int transferTimeoutSeconds) {
            this(publicBaseUrl, callerId, ringTimeoutSeconds, numberPrefixes, transferTimeoutSeconds,
                    dev.callcontrol.config.Destinations.allowing(numberPrefixes), DIALS_PER_MINUTE);
        }

        public Settings(String publicBaseUrl, String callerId, int ringTimeoutSeconds, List<String> numberPrefixes) {
            this(publicBaseUrl, callerId, ringTimeoutSeconds, numberPrefixes, TRANSFER_TIMEOUT_SECONDS);
        }
    }

    /**
     * How the conference's recording is paused: while the customer is held too ({@code pauseOnHold}), and
     * with which of Twilio's {@code PauseBehavior}s ({@code silence} or {@code skip}).
     */
    public record RecordingPolicy(boolean pauseOnHold, String pauseBehavior) {
        /** Not on hold; Twilio's default behaviour. */
        public static final RecordingPolicy DEFAULT = new RecordingPolicy(false, "silence");
    }

    /** How a supervisor's answered leg joins: the mode, and the agent's leg to coach in whisper mode. */
    public record SupervisorJoin(Mode mode, String coachCallSid) {
    }

    private final Hold hold;
    private final ColdTransfer cold;
    private final WarmTransfers warm;
    private final WarmTransferEvents warmEvents;
    private final Supervision supervision;
    private final Outbound outbound;
    private final Hangup hangup;
    private final PreCallWhisper whisper;
    private final ConferencePolicy policy;
    private final CallRecords records;
    private final LegAcceptance acceptance;
    private final Watchdog watchdog;
    private final UnfinishedTransfers unfinished;
    private final PendingEffects pendingEffects;
    private final WrapUp wrapUp;
    private final CallReports reports;
    private final Recordings recordings;
    private final PartyEvents partyEvents;
    private final Parties parties;

    public CallControl(CallRecords records, Telephony telephony, Settings settings) {
        this(records, telephony, settings, Clock.systemUTC());
    }

    public CallControl(CallRecords records, Telephony telephony, Settings settings, Clock clock) {
        this(records, telephony, settings, clock, CallMetrics.NONE);
    }

    /**
     * Call control that counts holds and transfers ({@code metrics}): from what each landed write of
     * a call record changed ({@link MeteredCallRecords}), and a cold transfer's request where the agent asks.
     */
    public CallControl(CallRecords records, Telephony telephony, Settings settings, Clock clock, CallMetrics metrics) {
        records = new MeteredCallRecords(records, metrics, clock);
        Ports ports = new Ports(records, telephony, settings, dev.callcontrol.twilio.WebhookUrls.withRetries(settings.publicBaseUrl() + HOLD_MUSIC_PATH), clock,
                metrics);
        CallLookup lookup = new CallLookup(ports);
        TransferTargets targets = new TransferTargets(ports);
        Requeue requeue = new Requeue(ports);
        WarmTransitions transitions = new WarmTransitions(ports);
        this.records = records;
        this.reports = new CallReports(ports);

        this.acceptance = new LegAcceptance(ports);
        this.recordings = new Recordings(ports, lookup);
        this.hold = new Hold(ports, lookup, recordings);
        this.cold = new ColdTransfer(ports, lookup, targets, requeue, acceptance);
        this.warmEvents = new WarmTransferEvents(ports, transitions, requeue);
        this.warm = new WarmTransfers(ports, lookup, targets, transitions, warmEvents);
        this.supervision = new Supervision(ports, lookup, targets);
        this.outbound = new Outbound(ports, targets);
        this.hangup = new Hangup(ports, lookup);
        this.whisper = new PreCallWhisper(ports);
        this.partyEvents = new PartyEvents(ports);
        this.parties = new Parties(ports, lookup, targets, partyEvents);
        this.policy = new ConferencePolicy(ports, warmEvents, recordings, partyEvents);
        this.watchdog = new Watchdog(ports, requeue, warmEvents, transitions);
        this.unfinished = new UnfinishedTransfers(ports, requeue, transitions);
        this.pendingEffects = new PendingEffects(ports, recordings);
        this.wrapUp = new WrapUp(ports, lookup);
    }

    // ------------------------------------------------------------------ what agents and supervisors ask for

    /** Holds or resumes the customer: one Twilio request ({@link Hold}). */
    public CallRecord hold(String taskSid, Principal principal, boolean hold) {
        return this.hold.hold(taskSid, principal, hold);
    }

    /**
     * Pauses or resumes the conference's recording for the connected agent: one list request and at
     * most one update ({@link Recordings}).
     */
    public CallRecord recording(String taskSid, Principal principal, boolean pause) {
        return recordings.change(taskSid, principal, pause);
    }

    /**
     * Ends the principal's wrap-up of this call: their task completed with the disposition (one of
     * {@code allowed}, when that is not empty) and notes in its attributes ({@link WrapUp}).
     */
    public CallRecord wrapUp(String taskSid, Principal principal, String disposition, String notes, List<String> allowed) {
        return wrapUp.complete(taskSid, principal, new WrapUp.Disposition(disposition, notes), allowed);
    }

    /** Cold transfer to a worker, a queue or a number, in two steps ({@link ColdTransfer}). */
    public CallRecord coldTransfer(String taskSid, Principal principal, TransferTarget target) {
        return cold.transfer(taskSid, principal, target);
    }

    /** Warm transfers of these calls: start, view, three-way, complete, cancel. */
    public WarmTransfers warm() {
        return warm;
    }

    /**
     * Adds a worker or a number to the call without holding the customer, within {@code maxParties}
     * legs ({@link Parties}); answers the party, ringing.
     */
    public AddedParty addParty(String taskSid, Principal principal, TransferTarget target, int maxParties) {
        return parties.add(taskSid, principal, target, maxParties);
    }

    /** Removes a party an agent added, by its leg's call SID (or its task's SID while it rings). */
    public AddedParty removeParty(String taskSid, Principal principal, String sid) {
        return parties.remove(taskSid, principal, sid);
    }

    /** Joins the calling supervisor in a mode, or switches their mode ({@link Supervision}). */
    public CallRecord supervise(String taskSid, Principal principal, Mode mode) {
        return supervision.supervise(taskSid, principal, mode);
    }

    /** Takes the supervisor off the call (or stops their phone ringing). */
    public CallRecord stopSupervising(String taskSid, Principal principal) {
        return supervision.stop(taskSid, principal);
    }

    /** An outbound call for the calling agent: one request, answering the new task's SID ({@link Outbound}). */
    public String dialOut(Principal principal, String number) {
        return outbound.dial(principal, number, null);
    }

    /** As {@link #dialOut(Principal, String)}, showing the customer the caller ID {@code from} (one of {@code OUTBOUND_CALLER_IDS}). */
    public String dialOut(Principal principal, String number, String from) {
        return outbound.dial(principal, number, from);
    }

    /** Ends the call for everyone: one request that ends the conference ({@link Hangup}). */
    public CallRecord hangup(String taskSid, Principal principal) {
        return hangup.hangup(taskSid, principal);
    }

    // ------------------------------------------------------------------ what Twilio asks or tells

    /** How a supervisor's answered leg should join, or empty when it should not. */
    public Optional<SupervisorJoin> supervisorJoin(String callTaskSid, String workerSid) {
        return supervision.join(callTaskSid, workerSid);
    }

    /** A supervisor's leg ended before joining: they are no longer on the call. */
    public void onSupervisorLegEnded(String callTaskSid, String workerSid, String callSid, String callStatus) {
        supervision.onLegEnded(callTaskSid, workerSid, callSid, callStatus);
    }

    /** A conference status callback, applied to the call record and acted on ({@link ConferencePolicy}). */
    public Optional<CallRecord> onConferenceEvent(ConferenceEvent event) {
        Optional<CallRecord> updated = policy.onConferenceEvent(event);
        if (event.neverJoined() && event.taskSid() != null && Role.ofLabel(event.label()) == Role.TRANSFER) {
            // The number a transfer dialled was not answered. Twilio reports it here (participant_add_failed) and to the
            // leg's status callback, in either order: whichever comes first fails the transfer, the other finds it done.
            onTransferLegEnded(event.taskSid(), null, event.callSid(), event.unansweredStatus());
        }
        if (event.neverJoined() && event.taskSid() != null && Role.ofLabel(event.label()) == Role.PARTY) {
            // An added number that was not answered, reported here and to its leg's status callback: the first ends the party.
            partyEvents.onUnanswered(event.taskSid(), null, event.callSid(), event.unansweredStatus());
        }
        return updated;
    }

    /**
     * What the reconciler checks on every live call besides lost webhooks: a transfer an invocation
     * began and never finished is undone ({@link UnfinishedTransfers}); a follow-up of a conference
     * event that failed is sent again ({@link PendingEffects}); then the limits no call
     * outlives ({@link Watchdog}): a transfer whose target has not joined after
     * {@code transferTimeout} ends as a no-answer, a customer held for {@code maxHold} is brought
     * back to the agent, or re-queued. Answers what was done (the audit trail's event), or null.
     */
    public String watch(CallRecord record, java.time.Duration maxHold, java.time.Duration transferTimeout) {
        String undone = unfinished.check(record);
        if (undone != null) {
            return undone;
        }
        String retried = pendingEffects.retry(record);
        if (retried != null) {
            return retried;
        }
        String withdrawn = partyEvents.timeout(record, transferTimeout);
        return withdrawn != null ? withdrawn : watchdog.check(record, new Watchdog.Limits(maxHold, transferTimeout));
    }

    /** The words the agent hears before being connected to a waiting caller ({@link PreCallWhisper}). */
    public Optional<String> agentWhisper(String taskSid) {
        return whisper.words(taskSid);
    }

    /**
     * The agent answered the pre-call whisper's leg: the words they hear, once their reservation is
     * accepted ({@link LegAcceptance}); empty when the caller is no longer waiting or the
     * reservation is gone, and the agent must not be connected.
     */
    public Optional<String> agentWhisper(String taskSid, String reservationSid) {
        Optional<String> words = whisper.words(taskSid);
        if (words.isEmpty() || !acceptance.onAnswer(taskSid, reservationSid)) {
            return Optional.empty();
        }
        return words;
    }

    /**
     * A transfer target's leg ended without joining (busy, no answer, failed): the warm transfer
     * waiting for it fails back to the agent, or the cold one re-queues the customer. A leg the
     * pre-call whisper placed to the agent of the call's own task ({@code transferTaskSid} is the
     * call's) rejects that agent's reservation, so TaskRouter offers the waiting caller to the next.
     */
    public void onTransferLegEnded(String callTaskSid, String transferTaskSid, String legCallSid, String callStatus, String reservationSid) {
        if (!ColdTransfer.unanswered(callStatus)) {
            return;
        }
        if (callTaskSid.equals(transferTaskSid)) {
            acceptance.onUnanswered(callTaskSid, reservationSid, "the agent did not answer the whisper's call (" + callStatus + ")");
            return;
        }
        if (warmEvents.onTargetUnanswered(callTaskSid, transferTaskSid, legCallSid, callStatus)
                || partyEvents.onUnanswered(callTaskSid, transferTaskSid, legCallSid, callStatus)) {
            return;
        }
        cold.onTargetUnanswered(callTaskSid, transferTaskSid, legCallSid, callStatus, reservationSid);
    }

    /** {@link #onTransferLegEnded(String, String, String, String, String)} for a leg with no reservation (an external number). */
    public void onTransferLegEnded(String callTaskSid, String transferTaskSid, String legCallSid, String callStatus) {
        onTransferLegEnded(callTaskSid, transferTaskSid, legCallSid, callStatus, null);
    }

    /** A transfer task ended without the target joining (its TTL, an administrator): the customer goes back to their queue. */
    public void onTransferTaskCanceled(String callTaskSid, String transferTaskSid, String reason) {
        if (warmEvents.onTaskCanceled(callTaskSid, transferTaskSid) || partyEvents.onTaskCanceled(callTaskSid, transferTaskSid)) {
            return;
        }
        cold.onTaskCanceled(callTaskSid, transferTaskSid, reason);
    }

    /**
     * A call's own task canceled before any agent took it (TaskRouter cancels the task of a caller
     * who hangs up while queued): the abandon is reported on the task ({@link CallReports#abandoned}).
     * A task the product itself refused is not an abandon.
     */
    public void onCallTaskCanceled(String taskSid, String reason) {
        if (reason != null && reason.startsWith(dev.callcontrol.callsetup.AssignmentRefusal.REASON_PREFIX)) {
            return;
        }
        reports.abandoned(taskSid);
    }

    /**
     * Whether a transfer leg that has just answered should join the call: the call is live and
     * that transfer, cold or warm, is still the pending one (it is not if the customer hung up meanwhile).
     */
    public boolean transferStillWanted(String callTaskSid, String transferTaskSid) {
        CallRecord call = records.find(callTaskSid).orElse(null);
        return call != null && !call.ended() && call.conferenceSid != null
                && (ColdTransfer.waitsFor(call, transferTaskSid) || WarmTransferEvents.wants(call, transferTaskSid)
                || PartyEvents.wants(call, transferTaskSid));
    }

    /**
     * TaskRouter says a transfer task's reservation was rejected or timed out: a warm transfer
     * waiting for it fails, an added worker's party ends (a cold transfer's task goes on to the
     * next agent). Answers whether either did.
     */
    public boolean onTransferReservationEnded(String callTaskSid, String transferTaskSid, boolean rejected) {
        return warm.onReservationEnded(callTaskSid, transferTaskSid, rejected)
                || partyEvents.onReservationEnded(callTaskSid, transferTaskSid, rejected);
    }

    /**
     * A transfer target's leg answered: whether it joins the call. It does when the transfer is
     * still wanted ({@link #transferStillWanted}) and the target's reservation is theirs, accepted
     * now ({@link LegAcceptance}). A transfer no longer wanted is left alone: whatever ended it
     * (the call's end, a re-queue) withdrew its task.
     */
    public boolean answerTransferLeg(String callTaskSid, String transferTaskSid, String reservationSid) {
        return transferStillWanted(callTaskSid, transferTaskSid) && acceptance.onAnswer(transferTaskSid, reservationSid);
    }
}
