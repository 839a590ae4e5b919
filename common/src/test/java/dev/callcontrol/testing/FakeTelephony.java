package dev.callcontrol.testing;

import dev.callcontrol.calls.Telephony;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An in-memory {@link Telephony} for unit tests: answers from what the test put in it and records
 * every request as a line such as {@code hold CA… true}, so tests assert what was asked of Twilio.
 */
public class FakeTelephony implements Telephony {
    public final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    public final Map<String, TaskContext> tasks = new HashMap<>();
    public final Map<String, Worker> workers = new HashMap<>();
    public final List<Queue> queues = new ArrayList<>();
    /** Requests (by their first word) that fail with the given exception. */
    public final Map<String, Function<String, RuntimeException>> failures = new HashMap<>();
    /** Requests (by their first word) during which something else happens, as a webhook arriving before Twilio's answer does. */
    public final Map<String, Consumer<String>> during = new HashMap<>();
    private int created;

    private void record(String request) {
        requests.add(request);
        var meanwhile = during.get(request.split(" ")[0]);
        if (meanwhile != null) {
            meanwhile.accept(request);
        }
        var failure = failures.get(request.split(" ")[0]);
        if (failure != null) {
            throw failure.apply(request);
        }
    }

    @Override
    public Optional<TaskContext> task(String taskSid) {
        record("task " + taskSid);
        return Optional.ofNullable(tasks.get(taskSid));
    }

    @Override
    public Optional<Worker> worker(String workerSid) {
        record("worker " + workerSid);
        return Optional.ofNullable(workers.get(workerSid));
    }

    @Override
    public Optional<Queue> queue(String sidOrName) {
        record("queue " + sidOrName);
        return queues.stream().filter(q -> q.sid().equals(sidOrName) || q.name().equals(sidOrName)).findFirst();
    }

    @Override
    public synchronized String createTask(Map<String, Object> attributes, int priority, int timeoutSeconds) {
        record("createTask " + priority + " " + attributes + (timeoutSeconds > 0 ? " timeout=" + timeoutSeconds : ""));
        created++;
        return "WT" + "f".repeat(30) + String.format("%02d", created);
    }

    /** What {@link #taskStatus} answers, by task SID; a task not listed answers as {@link #tasks} has it, or not at all. */
    public final Map<String, String> taskStatuses = new HashMap<>();

    /** When TaskRouter last changed each task, for {@link #taskStatus}; null when not listed. */
    public final Map<String, java.time.Instant> taskUpdates = new HashMap<>();

    @Override
    public Optional<TaskState> taskStatus(String taskSid) {
        record("taskStatus " + taskSid);
        String status = taskStatuses.get(taskSid);
        if (status == null && tasks.containsKey(taskSid)) {
            status = tasks.get(taskSid).assignmentStatus();
        }
        return status == null ? Optional.empty() : Optional.of(new TaskState(status, taskUpdates.get(taskSid)));
    }

    /** The attributes each {@link #completeTask} added, by task SID. */
    public final Map<String, Map<String, Object>> completed = new HashMap<>();

    @Override
    public boolean completeTask(String taskSid, Map<String, Object> attributes, String reason) {
        record("completeTask " + taskSid);
        completed.put(taskSid, attributes);
        return true;
    }

    @Override
    public synchronized Directory directory() {
        record("directory");
        List<Person> people = workers.values().stream().map(w -> new Person(w.sid(), w.name(), "Available", true)).toList();
        return new Directory(people, List.copyOf(queues));
    }

    /** Every {@link #addTaskAttributes} in order, by task SID: the last one a task got is its report. */
    public final Map<String, Map<String, Object>> addedAttributes = new java.util.LinkedHashMap<>();

    @Override
    public synchronized boolean addTaskAttributes(String taskSid, Map<String, Object> attributes) {
        record("addTaskAttributes " + taskSid);
        addedAttributes.put(taskSid, attributes);
        return true;
    }

    /** What {@link #transferTasks} finds, by transfer id: task SID to assignment status. */
    public final Map<String, Map<String, String>> transferTasks = new HashMap<>();

    @Override
    public Map<String, String> transferTasks(String transferId) {
        record("transferTasks " + transferId);
        return transferTasks.getOrDefault(transferId, Map.of());
    }

    @Override
    public boolean updateTask(String taskSid, TaskStatus status, String reason) {
        record("updateTask " + taskSid + " " + status);
        return true;
    }

    /** Reservations by SID and what accepting each answers; a reservation not listed is accepted. */
    public final Map<String, Acceptance> acceptances = new HashMap<>();

    @Override
    public Acceptance acceptReservation(String taskSid, String reservationSid) {
        record("acceptReservation " + taskSid + " " + reservationSid);
        return acceptances.getOrDefault(reservationSid, Acceptance.ACCEPTED);
    }

    @Override
    public boolean rejectReservation(String taskSid, String reservationSid) {
        record("rejectReservation " + taskSid + " " + reservationSid);
        return true;
    }

    @Override
    public boolean rejectReservationOfUnreachableWorker(String taskSid, String reservationSid) {
        record("rejectReservationOfUnreachableWorker " + taskSid + " " + reservationSid);
        return true;
    }

    @Override
    public void announce(String conferenceSid, String callSid, String announceUrl) {
        record("announce " + callSid + " " + announceUrl);
    }

    @Override
    public void hold(String conferenceSid, String callSid, boolean hold, String holdUrl) {
        record("hold " + callSid + " " + hold);
    }

    /** Each conference's running recording, by conference SID; one not here has none. */
    public final Map<String, Recording> recordings = new HashMap<>();

    @Override
    public Optional<Recording> activeRecording(String conferenceSid) {
        record("activeRecording " + conferenceSid);
        return Optional.ofNullable(recordings.get(conferenceSid)).filter(Recording::active);
    }

    @Override
    public Recording updateRecording(String conferenceSid, String recordingSid, boolean paused, String pauseBehavior) {
        record("updateRecording " + recordingSid + " " + (paused ? "paused " + pauseBehavior : "in-progress"));
        Recording updated = new Recording(recordingSid, paused ? "paused" : "in-progress");
        recordings.put(conferenceSid, updated);
        return updated;
    }

    @Override
    public boolean removeParticipant(String conferenceSid, String callSid) {
        record("removeParticipant " + callSid);
        return true;
    }

    @Override
    public boolean endConference(String conferenceSid) {
        record("endConference " + conferenceSid);
        return true;
    }

    @Override
    public synchronized String dial(String from, String to, String twimlUrl, String statusCallbackUrl, int timeoutSeconds) {
        record("dial " + to + " " + twimlUrl);
        created++;
        return "CA" + "f".repeat(30) + String.format("%02d", created);
    }

    /** Conferences as Twilio would list them, for {@link #conference}; one not here is unknown to Twilio. */
    public final Map<String, ConferenceState> conferences = new HashMap<>();

    @Override
    public Optional<ConferenceState> conference(String conferenceSid) {
        record("conference " + conferenceSid);
        return Optional.ofNullable(conferences.get(conferenceSid));
    }

    /** Calls by SID and the number each was placed to, for {@link #calledNumber}. */
    public final Map<String, String> calledNumbers = new HashMap<>();

    @Override
    public Optional<String> calledNumber(String callSid) {
        record("calledNumber " + callSid);
        return Optional.ofNullable(calledNumbers.get(callSid));
    }

    @Override
    public boolean endCall(String callSid) {
        record("endCall " + callSid);
        return true;
    }

    @Override
    public void updateParticipant(String conferenceSid, String callSid, boolean muted, boolean coaching, String callSidToCoach) {
        record("updateParticipant " + callSid + " muted=" + muted + " coaching=" + coaching + " coach=" + callSidToCoach);
    }

    @Override
    public synchronized String addParticipant(String conferenceSid, String from, String to, String label, String statusCallbackUrl, int timeoutSeconds) {
        record("addParticipant " + to + " " + label);
        created++;
        return "CA" + "e".repeat(30) + String.format("%02d", created);
    }

    @Override
    public void moveIntoConference(String callSid, String conferenceName, String label, boolean endConferenceOnExit) {
        record("moveIntoConference " + callSid + " " + conferenceName + " " + label);
    }

    /** The requests whose first word is {@code kind}. */
    public List<String> requests(String kind) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.startsWith(kind + " ")).toList();
        }
    }
}
