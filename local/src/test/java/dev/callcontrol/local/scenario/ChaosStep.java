package dev.callcontrol.local.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One thing that can happen to a call in the chaos test ({@link ChaosPropertyTest}): an agent's or
 * supervisor's command, a party answering, declining or hanging up, time passing, the reconciler
 * running, or a fault armed for what comes next (a lost or repeated webhook, a DynamoDB error,
 * throttle or delay, a Twilio 429, 5xx or lost connection).
 */
enum ChaosStep {
    // Agents' commands, every flow.
    HOLD, RESUME,
    COLD_TO_WORKER, COLD_TO_QUEUE, COLD_TO_NUMBER,
    WARM_TO_WORKER, WARM_TO_QUEUE, WARM_TO_NUMBER, THREE_WAY, COMPLETE, CANCEL,
    MONITOR, WHISPER, BARGE, STOP_SUPERVISING,
    HANG_UP_VIA_API, WRAP_UP,
    // Parties.
    TARGET_ANSWERS, TARGET_DECLINES, TARGET_HANGS_UP,
    SUPERVISOR_ANSWERS, SUPERVISOR_HANGS_UP,
    AGENT_HANGS_UP, CUSTOMER_HANGS_UP,
    // Time and the schedule.
    TIME_PASSES, RECONCILE,
    // Faults, armed for the steps after them.
    WEBHOOK_LOST, WEBHOOKS_REPEAT,
    DYNAMODB_500, DYNAMODB_THROTTLE, DYNAMODB_DELAY,
    TWILIO_429, TWILIO_5XX, TWILIO_LOST_CONNECTION;

    /** How a call starts: a customer calls in, or an agent calls a customer (POST /calls). */
    enum Start {
        INBOUND, OUTBOUND
    }

    static final List<ChaosStep> FAULTS = List.of(WEBHOOK_LOST, WEBHOOKS_REPEAT, DYNAMODB_500, DYNAMODB_THROTTLE, DYNAMODB_DELAY,
            TWILIO_429, TWILIO_5XX, TWILIO_LOST_CONNECTION);

    /** A try's plan: faults armed before the call starts, how it starts, then what happens. */
    record Plan(List<ChaosStep> beforeStart, Start start, List<ChaosStep> steps, long seed) {
        @Override
        public String toString() {
            return (beforeStart.isEmpty() ? "" : beforeStart + " ") + start + " " + steps + " (seed " + seed + ")";
        }
    }

    /**
     * A random plan. The first step after the start is, half the time, one of the flows' opening
     * commands, so that every flow is reached often; the rest are drawn from every step.
     */
    static Plan plan(long seed) {
        Random random = new Random(seed);
        ChaosStep[] all = values();
        List<ChaosStep> before = new ArrayList<>();
        for (int i = random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0; i > 0; i--) {
            before.add(FAULTS.get(random.nextInt(FAULTS.size())));
        }
        Start start = random.nextInt(4) == 0 ? Start.OUTBOUND : Start.INBOUND;
        List<ChaosStep> steps = new ArrayList<>();
        if (random.nextBoolean()) {
            List<ChaosStep> openings = List.of(HOLD, COLD_TO_WORKER, COLD_TO_QUEUE, COLD_TO_NUMBER, WARM_TO_WORKER, WARM_TO_QUEUE,
                    WARM_TO_NUMBER, MONITOR);
            ChaosStep opening = openings.get(random.nextInt(openings.size()));
            steps.add(opening);
            if (random.nextBoolean()) {
                steps.addAll(followUp(opening, random));
            }
        }
        for (int i = random.nextInt(10); i > 0; i--) {
            steps.add(all[random.nextInt(all.length)]);
        }
        return new Plan(before, start, steps, seed);
    }

    /** What usually comes after an opening, so that a flow's later steps (three-way, complete, barge) are reached with success too. */
    private static List<ChaosStep> followUp(ChaosStep opening, Random random) {
        return switch (opening) {
            case WARM_TO_WORKER, WARM_TO_QUEUE, WARM_TO_NUMBER -> List.of(
                    List.of(TARGET_ANSWERS, THREE_WAY, COMPLETE), List.of(TARGET_ANSWERS, COMPLETE), List.of(TARGET_ANSWERS, CANCEL),
                    List.of(TARGET_ANSWERS, THREE_WAY, CANCEL)).get(random.nextInt(4));
            case COLD_TO_WORKER, COLD_TO_QUEUE, COLD_TO_NUMBER -> List.of(TARGET_ANSWERS);
            case MONITOR -> List.of(List.of(SUPERVISOR_ANSWERS, WHISPER), List.of(SUPERVISOR_ANSWERS, BARGE),
                    List.of(SUPERVISOR_ANSWERS, WHISPER, BARGE, STOP_SUPERVISING)).get(random.nextInt(3));
            case HOLD -> List.of(RESUME);
            default -> List.of();
        };
    }
}
