package dev.callcontrol.calls;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What call control needs from Twilio (TaskRouter and Voice): the port the domain talks to. Every
 * method is one REST request unless it says otherwise; failures arrive as
 * {@link dev.callcontrol.agent.CallControlException}s (409 for a refusal, 502 when Twilio failed).
 */
public interface Telephony {
    /**
     * A task as call control sees it: its state, its caller's leg, the worker whose reservation was
     * accepted, the queue it was routed through, and its attributes.
     */
    record TaskContext(String taskSid, String assignmentStatus, String customerCallSid, String workerSid, String queueName,
                       Map<String, Object> attributes, int ageSeconds) {
        public TaskContext {
            attributes = attributes == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
        }
    }

    /**
     * A TaskRouter worker: who they are, where to ring them ({@code contact_uri}, may be null), and
     * the identity-provider user bound to them ({@code auth_sub}, set by administrators; may be null).
     */
    record Worker(String sid, String name, String contactUri, String authSubject) {
        public Worker(String sid, String name, String contactUri) {
            this(sid, name, contactUri, null);
        }
    }

    /** A worker as an agent picks a transfer target: who, and whether TaskRouter may offer them a task now. */
    record Person(String sid, String name, String activity, boolean available) {
    }

    /** The workspace's workers and task queues, as the agent console lists them. */
    record Directory(List<Person> workers, List<Queue> queues) {
    }

    /** The workspace's workers and task queues: two list requests (the queues may come from a short cache). */
    Directory directory();

    /** A TaskRouter task queue. */
    record Queue(String sid, String name) {
    }

    /** A task's assignment status and when TaskRouter last changed it ({@code date_updated}). */
    record TaskState(String assignmentStatus, java.time.Instant updatedAt) {
    }

    /** A task's assignment status ({@code pending}, {@code reserved}, {@code assigned}, {@code wrapping}, ...), or empty when TaskRouter no longer has it. One request. */
    Optional<TaskState> taskStatus(String taskSid);

    /**
     * Completes a task (its wrap-up over), adding {@code attributes} to the task's own: reads the
     * task and updates it, two requests. Answers false when TaskRouter refuses for the task's
     * state (completed or canceled already).
     */
    boolean completeTask(String taskSid, Map<String, Object> attributes, String reason);

    /**
     * Adds {@code attributes} to a task's own, objects merged one level down (so another
     * integration's {@code conversations} keys stay): reads the task and updates it, two requests.
     * Answers false when TaskRouter no longer has the task, or refuses it for its state (400).
     */
    boolean addTaskAttributes(String taskSid, Map<String, Object> attributes);

    /**
     * The tasks a transfer created, found by the id their attributes carry ({@code transfer.transfer_id}),
     * with their assignment status, by task SID. One list request (TaskRouter allows few of these a
     * second: for repairs, never on a call's path).
     */
    Map<String, String> transferTasks(String transferId);

    /** The assignment states call control moves a task to. */
    enum TaskStatus { WRAPPING, COMPLETED, CANCELED }

    /** The task, or empty when TaskRouter does not know it (two requests: the task and its accepted reservation). */
    Optional<TaskContext> task(String taskSid);

    /** A worker by SID, or empty when the workspace has none (may be served from a short-lived cache). */
    Optional<Worker> worker(String workerSid);

    /** A queue by SID or friendly name, or empty when the workspace has none (may be served from a short-lived cache). */
    Optional<Queue> queue(String sidOrName);

    /**
     * Creates a voice task on the configured workflow and answers its SID; TaskRouter cancels it
     * after {@code timeoutSeconds} unless it is completed first (0: TaskRouter's default, a day).
     * Never retried: a repeat would be a second task.
     */
    String createTask(Map<String, Object> attributes, int priority, int timeoutSeconds);

    /** What asking TaskRouter to accept a reservation came to. */
    enum Acceptance {
        /** Accepted now. */
        ACCEPTED,
        /** It was accepted already (the same answer delivered twice, or TaskRouter accepted it itself). */
        ALREADY_ACCEPTED,
        /** It is no longer pending: rejected, timed out, rescinded or canceled; the worker must not take the call. */
        GONE
    }

    /**
     * Accepts a worker's reservation of a task: one request, and a second (the reservation) when
     * TaskRouter refuses, to tell an accepted reservation from one that is gone.
     */
    Acceptance acceptReservation(String taskSid, String reservationSid);

    /**
     * Rejects a pending reservation, leaving the worker's activity as it is, so that TaskRouter
     * offers the task again. Answers false, without failing, when it was no longer pending.
     */
    boolean rejectReservation(String taskSid, String reservationSid);

    /**
     * Rejects a pending reservation of a worker who cannot be reached at all (no {@code contact_uri}),
     * moving them to the workspace's timeout activity: the activity TaskRouter itself gives a worker
     * whose reservation times out, given at once so the customer is offered to the next worker now
     * and this worker is not offered the task again. Answers false when it was no longer pending.
     */
    boolean rejectReservationOfUnreachableWorker(String taskSid, String reservationSid);

    /**
     * Moves a task on. Answers false, without failing, when TaskRouter says the task is no longer in
     * a state that allows it (already wrapped, completed or canceled).
     */
    boolean updateTask(String taskSid, TaskStatus status, String reason);

    /** Holds or resumes a participant; a participant that already left raises a 409 {@code call_ended}. */
    void hold(String conferenceSid, String callSid, boolean hold, String holdUrl);

    /**
     * Plays an announcement (TwiML from {@code announceUrl}) to one participant only; a participant
     * that already left raises a 409 {@code call_ended}.
     */
    void announce(String conferenceSid, String callSid, String announceUrl);

    /** Removes a participant from the conference. Answers false when it had already left, which is not a failure. */
    boolean removeParticipant(String conferenceSid, String callSid);

    /** Ends the conference for everyone. Answers false when it had already ended. */
    boolean endConference(String conferenceSid);

    /**
     * Places a call that runs {@code twimlUrl} when answered and reports its end to
     * {@code statusCallbackUrl}; answers its call SID. Never retried: a repeat rings a second phone.
     */
    String dial(String from, String to, String twimlUrl, String statusCallbackUrl, int timeoutSeconds);

    /** Ends a call, ringing or answered. Answers false when it was already over. */
    boolean endCall(String callSid);

    /** The number (or client) a call was placed to, or empty when Twilio does not know the call. */
    Optional<String> calledNumber(String callSid);

    /** Sets how a participant is heard: muted, or coaching (heard only by {@code callSidToCoach}), or neither. */
    void updateParticipant(String conferenceSid, String callSid, boolean muted, boolean coaching, String callSidToCoach);

    /**
     * Moves a live call (a caller waiting in a queue) into the conference of that name, labelled,
     * ending the conference when it leaves if {@code endConferenceOnExit}.
     */
    void moveIntoConference(String callSid, String conferenceName, String label, boolean endConferenceOnExit);

    /**
     * Dials {@code to} into the conference as a participant labelled {@code label}; answers the new
     * leg's call SID. Its end is reported to {@code statusCallbackUrl}. Never retried.
     */
    String addParticipant(String conferenceSid, String from, String to, String label, String statusCallbackUrl, int timeoutSeconds);

    /** A conference's recording as Twilio has it: its SID and status ({@code in-progress}, {@code paused}, {@code stopped}, ...). */
    record Recording(String sid, String status) {
        /** Whether it can still be paused or resumed: {@code in-progress} or {@code paused}. */
        public boolean active() {
            return "in-progress".equals(status) || "paused".equals(status);
        }

        public boolean paused() {
            return "paused".equals(status);
        }
    }

    /**
     * The conference's recording that is still running ({@code in-progress} or {@code paused}), or
     * empty when it has none (the call is not recorded, or its recording has ended). One list request.
     */
    Optional<Recording> activeRecording(String conferenceSid);

    /**
     * Pauses (with {@code pauseBehavior}, {@code skip} or {@code silence}) or resumes a conference's
     * recording; answers it as Twilio has it afterwards. A recording Twilio no longer has running
     * raises a 409 {@code no_recording}.
     */
    Recording updateRecording(String conferenceSid, String recordingSid, boolean paused, String pauseBehavior);

    /** One participant of a conference as Twilio lists it: its call, label, state, and whether it is connected yet. */
    record ConferenceParticipant(String callSid, String label, boolean hold, boolean muted, boolean coaching, String callSidToCoach,
                                 boolean connected) {
    }

    /** A conference as Twilio has it now: whether it is over, and (while it is not) who is in it. */
    record ConferenceState(boolean ended, List<ConferenceParticipant> participants) {
        public ConferenceState {
            participants = List.copyOf(participants);
        }
    }

    /**
     * The conference now, read from Twilio (the Conference resource and every page of its
     * participants); empty when Twilio has no such conference. Used by the reconciler, which
     * compares it with the call's record.
     */
    Optional<ConferenceState> conference(String conferenceSid);
}
