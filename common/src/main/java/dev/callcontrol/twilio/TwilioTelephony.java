package dev.callcontrol.twilio;

import com.twilio.exception.ApiException;
import com.twilio.http.HttpMethod;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.Conference;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.type.PhoneNumber;
import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Lazy;
import dev.callcontrol.logging.Redact;

import java.net.URI;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link Telephony} over twilio-java: Programmable Voice's calls, conferences and participants
 * here, TaskRouter's tasks, workers and queues in {@link TwilioTaskRouter}. Twilio's failures
 * become typed call-control errors, never stack traces.
 */
public final class TwilioTelephony implements Telephony {
    /** The statuses of a call that has been placed and not yet answered, in the order a call passes through them. */
    private static final List<Call.Status> PLACING = List.of(Call.Status.QUEUED, Call.Status.RINGING);
    /** The participant to be whispered is not in the conference (https://www.twilio.com/docs/api/errors/16028). */
    private static final int COACHED_NOT_PRESENT = 16028;
    /** The participant to be whispered is on hold (https://www.twilio.com/docs/api/errors/16027). */
    private static final int COACHED_ON_HOLD = 16027;

    private final Lazy<TwilioRestClient> client;
    private final String workspaceSid;
    private final String workflowSid;
    private final Clock clock;
    private final FaultPolicy faults;
    private final TwilioTaskRouter taskRouter;
    private final TwilioRecordings recordings;
    /** Twilio's {@code TimeLimit} for a leg to a number or a SIP address; 0 leaves Twilio's own (four hours). */
    private final int externalTimeLimitSeconds;

    public TwilioTelephony(TwilioRestClient client, String workspaceSid, String workflowSid) {
        this(Lazy.built(client), workspaceSid, workflowSid, Clock.systemUTC(), FaultPolicy.standard());
    }

    /**
     * An adapter whose REST client is built by the first request that needs it (or by priming):
     * a path that never talks to Twilio (a refused request, a record read, an event with nothing to
     * do) does not pay for building it on a cold start.
     */
    public static TwilioTelephony lazily(Supplier<TwilioRestClient> client, String workspaceSid, String workflowSid) {
        return lazily(client, workspaceSid, workflowSid, dev.callcontrol.metrics.CallMetrics.NONE);
    }

    /** As {@link #lazily(Supplier, String, String)}, counting the errors Twilio answers in {@code metrics}. */
    public static TwilioTelephony lazily(Supplier<TwilioRestClient> client, String workspaceSid, String workflowSid,
                                         dev.callcontrol.metrics.CallMetrics metrics) {
        return new TwilioTelephony(Lazy.of(client), workspaceSid, workflowSid, Clock.systemUTC(), FaultPolicy.standard().reportingTo(metrics));
    }

    TwilioTelephony(TwilioRestClient client, String workspaceSid, String workflowSid, Clock clock, FaultPolicy faults) {
        this(Lazy.built(client), workspaceSid, workflowSid, clock, faults);
    }

    private TwilioTelephony(Lazy<TwilioRestClient> client, String workspaceSid, String workflowSid, Clock clock, FaultPolicy faults) {
        this(client, workspaceSid, workflowSid, clock, faults, 0);
    }

    private TwilioTelephony(Lazy<TwilioRestClient> client, String workspaceSid, String workflowSid, Clock clock, FaultPolicy faults,
                            int externalTimeLimitSeconds) {
        this.externalTimeLimitSeconds = externalTimeLimitSeconds;
        this.client = client;
        this.workspaceSid = workspaceSid;
        this.workflowSid = workflowSid;
        this.clock = clock;
        this.faults = faults;
        this.taskRouter = new TwilioTaskRouter(client, workspaceSid, workflowSid, clock, faults);
        this.recordings = new TwilioRecordings(client, faults);
    }

    /**
     * The same adapter, but every leg it places to a number or a SIP address (not a {@code client:})
     * carries Twilio's {@code TimeLimit}, so a call to a destination that keeps the line open
     * ends after {@code seconds} ({@code EXTERNAL_CALL_TIME_LIMIT_SECONDS}).
     */
    public TwilioTelephony limitingExternalLegs(int seconds) {
        return new TwilioTelephony(client, workspaceSid, workflowSid, clock, faults, seconds);
    }

    /** The time limit for a leg to {@code to}, or null to leave Twilio's. */
    private Integer timeLimit(String to) {
        return externalTimeLimitSeconds > 0 && !to.startsWith("client:") ? externalTimeLimitSeconds : null;
    }

    /**
     * SnapStart priming: every kind of request this adapter makes, through a client that shares
     * this one's JSON mapper (so its deserialisers are built) and answers from memory
     * ({@link CannedTwilio}), with no network call. Fails if any request does not come back as a
     * real one would, so a priming that stopped priming is noticed in the tests.
     */
    public void prime() {
        TwilioRestClient real = client.get();
        TwilioRestClient dry = new TwilioRestClient.Builder(real.getAccountSid(), "priming-only")
                .objectMapper(real.getObjectMapper()).httpClient(new CannedTwilio()).build();
        TwilioTelephony telephony = new TwilioTelephony(dry, workspaceSid, workflowSid, clock, faults);
        String task = "WT00000000000000000000000000000000";
        String conference = "CF00000000000000000000000000000000";
        String call = "CA00000000000000000000000000000000";
        String number = "+15005550006";
        String url = "https://priming.invalid/twilio/priming";
        if (telephony.task(task).isEmpty() || telephony.worker("WK00000000000000000000000000000000").isEmpty()
                || telephony.queue("priming").isEmpty()) {
            throw new IllegalStateException("a primed read came back empty");
        }
        telephony.createTask(Map.of("priming", true), 0, 0);
        telephony.updateTask(task, TaskStatus.WRAPPING, "priming");
        telephony.hold(conference, call, true, url);
        telephony.updateParticipant(conference, call, false, true, call);
        telephony.removeParticipant(conference, call);
        telephony.endConference(conference);
        telephony.dial(number, number, url, url, 20);
        telephony.endCall(call);
        telephony.moveIntoConference(call, task, "priming", false);
        telephony.addParticipant(conference, number, number, "priming", url, 20);
        telephony.activeRecording(conference);
        telephony.updateRecording(conference, "RE00000000000000000000000000000000", true, "skip");
    }

    @Override
    public Optional<Recording> activeRecording(String conferenceSid) {
        return recordings.active(conferenceSid);
    }

    @Override
    public Recording updateRecording(String conferenceSid, String recordingSid, boolean paused, String pauseBehavior) {
        return recordings.update(conferenceSid, recordingSid, paused, pauseBehavior);
    }

    @Override
    public Optional<TaskContext> task(String taskSid) {
        return taskRouter.task(taskSid);
    }

    @Override
    public Optional<TaskState> taskStatus(String taskSid) {
        return taskRouter.taskStatus(taskSid);
    }

    @Override
    public boolean completeTask(String taskSid, Map<String, Object> attributes, String reason) {
        return taskRouter.completeTask(taskSid, attributes, reason);
    }

    @Override
    public Directory directory() {
        return taskRouter.directory();
    }

    @Override
    public boolean addTaskAttributes(String taskSid, Map<String, Object> attributes) {
        return taskRouter.addAttributes(taskSid, attributes);
    }

    @Override
    public Map<String, String> transferTasks(String transferId) {
        return taskRouter.transferTasks(transferId);
    }

    @Override
    public Optional<Worker> worker(String workerSid) {
        return taskRouter.worker(workerSid);
    }

    @Override
    public Optional<Queue> queue(String sidOrName) {
        return taskRouter.queue(sidOrName);
    }

    @Override
    public String createTask(Map<String, Object> attributes, int priority, int timeoutSeconds) {
        return taskRouter.createTask(attributes, priority, timeoutSeconds);
    }

    @Override
    public boolean updateTask(String taskSid, TaskStatus status, String reason) {
        return taskRouter.updateTask(taskSid, status, reason);
    }

    @Override
    public Acceptance acceptReservation(String taskSid, String reservationSid) {
        return taskRouter.acceptReservation(taskSid, reservationSid);
    }

    @Override
    public boolean rejectReservation(String taskSid, String reservationSid) {
        return taskRouter.rejectReservation(taskSid, reservationSid);
    }

    @Override
    public boolean rejectReservationOfUnreachableWorker(String taskSid, String reservationSid) {
        return taskRouter.rejectReservationOfUnreachableWorker(taskSid, reservationSid);
    }

    @Override
    public boolean removeParticipant(String conferenceSid, String callSid) {
        return faults.run("removing participant " + callSid, FaultPolicy.Kind.DELETE, () -> {
            try {
                return Participant.deleter(conferenceSid, callSid).delete(client.get());
            } catch (ApiException e) {
                if (is404(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public boolean endConference(String conferenceSid) {
        return faults.run("ending conference " + conferenceSid, FaultPolicy.Kind.UPDATE, () -> {
            try {
                Conference.updater(conferenceSid).setStatus(Conference.UpdateStatus.COMPLETED).update(client.get());
                return true;
            } catch (ApiException e) {
                if (is404(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public String dial(String from, String to, String twimlUrl, String statusCallbackUrl, int timeoutSeconds) {
        Integer timeLimit = timeLimit(to);
        return faults.create("dialling " + Redact.phone(to), () -> Call
                        .creator(new PhoneNumber(to), new PhoneNumber(from), URI.create(twimlUrl))
                        .setTimeLimit(timeLimit)
                        .setStatusCallback(URI.create(statusCallbackUrl))
                        .setStatusCallbackMethod(HttpMethod.POST)
                        .setStatusCallbackEvent(List.of("completed"))
                        .setTimeout(timeoutSeconds)
                        .create(client.get()).getSid(),
                // A call just placed is still queued or ringing; the newest such call between the two numbers is it.
                // Twilio does not document the order of the list, so every page of both statuses is read (ResourceSet
                // follows next_page_uri) rather than the first few calls: a limit dropped the new call whenever older
                // calls between the same numbers came first. Queued is read before ringing, the way a call moves.
                () -> {
                    Call newest = null;
                    for (Call.Status status : PLACING) {
                        for (Call call : Call.reader().setTo(new PhoneNumber(to)).setFrom(new PhoneNumber(from)).setStatus(status).read(client.get())) {
                            boolean placing = PLACING.contains(call.getStatus());
                            if (placing && (newest == null || isAfter(call.getDateCreated(), newest.getDateCreated()))) {
                                newest = call;
                            }
                        }
                    }
                    return Optional.ofNullable(newest).map(Call::getSid);
                });
    }

    @Override
    public Optional<String> calledNumber(String callSid) {
        return faults.run("fetching call " + callSid, FaultPolicy.Kind.READ, () -> {
            try {
                return Optional.ofNullable(Call.fetcher(callSid).fetch(client.get()).getTo());
            } catch (ApiException e) {
                if (e.getStatusCode() != null && e.getStatusCode() == 404) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<ConferenceState> conference(String conferenceSid) {
        return faults.run("reading conference " + conferenceSid, FaultPolicy.Kind.READ, () -> {
            Conference conference;
            try {
                conference = Conference.fetcher(conferenceSid).fetch(client.get());
            } catch (ApiException e) {
                if (is404(e)) {
                    return Optional.empty();
                }
                throw e;
            }
            if (conference.getStatus() == Conference.Status.COMPLETED) {
                return Optional.of(new ConferenceState(true, List.of()));
            }
            List<ConferenceParticipant> participants = new ArrayList<>();
            // Every page (ResourceSet follows next_page_uri): a conference's participants are few, but nothing is assumed.
            for (Participant participant : Participant.reader(conferenceSid).read(client.get())) {
                participants.add(new ConferenceParticipant(participant.getCallSid(), participant.getLabel(),
                        Boolean.TRUE.equals(participant.getHold()), Boolean.TRUE.equals(participant.getMuted()),
                        Boolean.TRUE.equals(participant.getCoaching()), participant.getCallSidToCoach(),
                        participant.getStatus() == Participant.Status.CONNECTED));
            }
            return Optional.of(new ConferenceState(false, participants));
        });
    }

    @Override
    public boolean endCall(String callSid) {
        return faults.run("ending call " + callSid, FaultPolicy.Kind.UPDATE, () -> {
            try {
                Call.updater(callSid).setStatus(Call.UpdateStatus.COMPLETED).update(client.get());
                return true;
            } catch (ApiException e) {
                // 404: no such call; 400 (21220): it is no longer live.
                if (e.getStatusCode() != null && (e.getStatusCode() == 404 || e.getStatusCode() == 400)) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public void updateParticipant(String conferenceSid, String callSid, boolean muted, boolean coaching, String callSidToCoach) {
        faults.run("updating participant " + callSid, FaultPolicy.Kind.UPDATE, () -> {
            try {
                var update = Participant.updater(conferenceSid, callSid).setMuted(muted).setCoaching(coaching);
                if (coaching) {
                    update.setCallSidToCoach(callSidToCoach);
                }
                return update.update(client.get());
            } catch (ApiException e) {
                if (is404(e)) {
                    throw CallControlException.conflict("call_ended", "that participant has already left the call");
                }
                if (coaching && e.getCode() != null && (e.getCode() == COACHED_NOT_PRESENT || e.getCode() == COACHED_ON_HOLD)) {
                    // The agent to whisper to left (or is held) since the record was read: nothing changed at Twilio.
                    throw CallControlException.conflict("no_agent", "the agent to whisper to is no longer on the call");
                }
                throw e;
            }
        });
    }

    @Override
    public void moveIntoConference(String callSid, String conferenceName, String label, boolean endConferenceOnExit) {
        String twiml = LegTwiml.dial(LegTwiml.join(conferenceName, label).endConferenceOnExit(endConferenceOnExit).build(), null);
        faults.run("moving call " + callSid + " into the conference", FaultPolicy.Kind.UPDATE, () -> {
            try {
                return Call.updater(callSid).setTwiml(new com.twilio.type.Twiml(twiml)).update(client.get());
            } catch (ApiException e) {
                if (e.getStatusCode() != null && (e.getStatusCode() == 404 || e.getStatusCode() == 400)) {
                    throw CallControlException.conflict("call_ended", "the caller has already hung up");
                }
                throw e;
            }
        });
    }

    @Override
    public String addParticipant(String conferenceSid, String from, String to, String label, String statusCallbackUrl, int timeoutSeconds) {
        Integer timeLimit = timeLimit(to);
        return faults.create("adding " + Redact.phone(to) + " to the conference", () -> Participant
                        .creator(conferenceSid, new PhoneNumber(from), new PhoneNumber(to))
                        .setTimeLimit(timeLimit)
                        .setLabel(label)
                        .setStatusCallback(URI.create(statusCallbackUrl))
                        .setStatusCallbackMethod(HttpMethod.POST)
                        .setStatusCallbackEvent(List.of("completed"))
                        .setTimeout(timeoutSeconds)
                        .setEndConferenceOnExit(false)
                        // Beep defaults to true for a participant the API adds; the product's legs join without one, as their TwiML says.
                        .setBeep("false")
                        .create(client.get()).getCallSid(),
                // A label is unique within a conference, so the participant with this one is the one asked for.
                () -> {
                    try {
                        Participant participant = Participant.fetcher(conferenceSid, label).fetch(client.get());
                        return participant.getStatus() == Participant.Status.COMPLETE || participant.getStatus() == Participant.Status.FAILED
                                ? Optional.<String>empty() : Optional.of(participant.getCallSid());
                    } catch (ApiException e) {
                        if (is404(e)) {
                            return Optional.empty();
                        }
                        throw e;
                    }
                });
    }

    private static boolean isAfter(ZonedDateTime a, ZonedDateTime b) {
        return a != null && (b == null || a.isAfter(b));
    }

    static boolean is404(ApiException e) {
        return e.getStatusCode() != null && e.getStatusCode() == 404;
    }

    @Override
    public void announce(String conferenceSid, String callSid, String announceUrl) {
        faults.run("announcing to " + callSid, FaultPolicy.Kind.UPDATE, () -> {
            try {
                // Played to this participant only; AnnounceMethod is set so the route's signature check sees what Twilio signs.
                return Participant.updater(conferenceSid, callSid).setAnnounceUrl(URI.create(announceUrl))
                        .setAnnounceMethod(HttpMethod.GET).update(client.get());
            } catch (ApiException e) {
                if (is404(e)) {
                    throw CallControlException.conflict("call_ended", "the participant has already left the call");
                }
                throw e;
            }
        });
    }

    @Override
    public void hold(String conferenceSid, String callSid, boolean hold, String holdUrl) {
        faults.run((hold ? "holding " : "resuming ") + callSid, FaultPolicy.Kind.UPDATE, () -> {
            try {
                var update = Participant.updater(conferenceSid, callSid).setHold(hold);
                if (hold) {
                    // HoldMethod defaults to GET; it is set anyway so the hold-music route's signature check sees what Twilio signs.
                    update.setHoldUrl(URI.create(holdUrl)).setHoldMethod(HttpMethod.GET);
                }
                return update.update(client.get());
            } catch (ApiException e) {
                if (is404(e)) {
                    throw CallControlException.conflict("call_ended", "the customer has already left the call");
                }
                throw e;
            }
        });
    }
}
