package dev.callcontrol.snapstart;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SnapStart priming. Lambda snapshots a SnapStart function after its initialisation and calls
 * every registered {@link Resource}'s {@code beforeCheckpoint} first; a step registered here then
 * runs the code an invocation will run (parsing an event, checking a signature, the Jackson
 * (de)serializers of the call record and of Twilio's resources, TwiML) on made-up data, so that the
 * snapshot holds those classes loaded, linked and initialised. No step makes a network call: a
 * connection opened before the snapshot would be dead after a restore, and a request to Twilio or
 * DynamoDB at publish time would act on nothing real.
 *
 * <p>Without SnapStart (or on a JVM without CRaC) the steps never run and cost nothing but their
 * registration.
 */
public final class Priming implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(Priming.class);
    /** Strong references: CRaC contexts hold their resources weakly. */
    private static final List<Priming> REGISTERED = new CopyOnWriteArrayList<>();

    private final String name;
    private final Runnable step;

    private Priming(String name, Runnable step) {
        this.name = name;
        this.step = step;
    }

    /** Registers {@code step} to run before the snapshot; {@code name} says what it warms, in the log. */
    public static void register(String name, Runnable step) {
        Priming priming = new Priming(name, step);
        REGISTERED.add(priming);
        Core.getGlobalContext().register(priming);
    }

    /** What is registered so far, by name, in registration order. */
    public static List<String> registered() {
        return REGISTERED.stream().map(p -> p.name).toList();
    }

    /**
     * Runs every registered step now, as the checkpoint would: for the tests, and for the benchmark
     * that measures a primed first invocation on a JVM without CRaC. Answers the steps that failed.
     */
    public static List<String> primeAll() {
        List<String> failed = new java.util.ArrayList<>();
        for (Priming priming : REGISTERED) {
            if (!priming.prime()) {
                failed.add(priming.name);
            }
        }
        return failed;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    private boolean prime() {
        long start = System.nanoTime();
        try {
            step.run();
            LOG.info("Primed {} for the snapshot in {} ms", name, (System.nanoTime() - start) / 1_000_000);
            return true;
        } catch (RuntimeException e) {
            // Priming only saves time after a restore; the snapshot is still good without it.
            LOG.warn("Priming {} failed; the snapshot is taken without it", name, e);
            return false;
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to refresh: priming opens no connection and keeps no time-dependent state.
    }
}
