package dev.callcontrol.local.bench;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.callsetup.CallSetup;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.LiveCalls.Entry;
import dev.callcontrol.calls.Reconciler;
import dev.callcontrol.config.Config;
import dev.callcontrol.config.Setting;
import dev.callcontrol.functions.ReconcileFunction;
import dev.callcontrol.local.LiveCalls;
import dev.callcontrol.local.LocalContext;
import dev.callcontrol.local.LocalRuntime;
import dev.callcontrol.local.SamTemplate;
import dev.callcontrol.local.sim.SimClient;
import dev.callcontrol.store.CallRecordJson;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.twilio.WebhookUrls;
import org.joda.time.DateTime;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reconciler at scale (a benchmark, not a test): reconciles N live calls in DynamoDB Local
 * against the Twilio simulator and prints, per run, the time it took, the DynamoDB reads and read
 * units, the Twilio requests and the memory the run allocated; then how many runs it took to visit
 * every call, and one run with {@code RECONCILE_MAX_REQUESTS} raised to cover them all at once.
 *
 * <p>The calls: one call is set up for real first (a customer dials in, an agent answers, the
 * product writes its record from the conference events), and its record is the template of every
 * seeded one. The simulator then seeds N live calls in bulk ({@code POST /sim/conferences/seed}: a
 * customer's and an agent's call in a conference named by the call's task SID, with no task behind
 * it), and for each the benchmark writes the template record with that call's task, conference and
 * call SIDs through the product's {@link CallStore}, the way the conference events write it. Record
 * and Twilio agree, so the reconciler only reads.
 *
 * <p>The runs: the product's {@link ReconcileFunction}, built by its own wiring from the
 * environment the local runtime gives it (the template's settings), with two differences. Its
 * DynamoDB endpoint is a metering proxy ({@link DynamoDbMeter}) in front of DynamoDB Local, and its
 * clock reads the instant of each scheduled run, one {@code RECONCILE_SCHEDULE} period after the
 * last, so the runs come back to back rather than a minute apart (the clock decides which calls a
 * capped run visits). Each run gets the function's timeout from template.yaml as its Lambda
 * context's deadline; the run with the cap raised gets Lambda's maximum, 900 s. Twilio requests are
 * read from the simulator's request log; a call counts as visited once its conference was fetched.
 *
 * <p>Usage: {@code local/reconcile-scale [--latency-ms L] [--timeout-s T] [--runs K] [--warmups W] [calls ...]}
 * (default: 1000 then 10000 live calls). {@code --latency-ms} delays every Twilio request by L ms
 * (Twilio's own latency, which the simulator on loopback does not have; the raised-cap run is then
 * skipped), {@code --timeout-s} replaces the function's timeout, {@code --runs} caps the capped runs
 * per size (by default they go on until every call was visited, or three times the runs that
 * should take), {@code --warmups} sets the runs made before the first size's, not shown (3).
 *
 * <p>Its command line is {@link ScaleOptions}; the clock of its runs is {@link MovingClock}.
 */
public final class ReconcileScale {
    private static final Pattern CONFERENCE_FETCH = Pattern.compile("/Conferences/(CF[0-9a-fA-F]{32})\\.json$");
    /** Lambda's longest timeout, for the run with the cap raised. */
    private static final int LAMBDA_MAX_TIMEOUT_SECONDS = 900;

    /** One seeded live call. */
    private record Seeded(String taskSid, String conferenceSid) {
    }

    /** One reconciler run, measured. */
    record Run(int number, int cap, int live, int visited, int newlyVisited, int notYetVisited, double wallMillis,
               DynamoDbMeter.Reading dynamo, int twilioRequests, int twilioErrors, long allocatedBytes, boolean stoppedEarly) {
    }

    /** What one size came to, for the summary. */
    private record SizeSummary(int calls, int cap, List<Run> capped, Integer runsToVisitAll, int neverVisited, Run single, String singleNote,
                               long retainedBytes) {
    }

    private final LocalRuntime runtime;
    private final SamTemplate.Function function;
    private final ScaleOptions options;
    private final PrintStream out;
    private final SimClient sim;
    private final DynamoDbMeter meter;
    private final DynamoDbClient seedClient;
    private final CallStore seedStore;
    private final Map<String, String> environment;
    private final Duration period;
    private final int cap;
    private final MovingClock clock = new MovingClock();
    private final List<Seeded> seeded = new ArrayList<>();
    private CallRecord template;
    private String templateJson;
    private ReconcileFunction capped;
    private boolean warmedUp;
    private double seedSimulatorSeconds;

    private ReconcileScale(LocalRuntime runtime, SamTemplate.Function function, ScaleOptions options, PrintStream out) throws Exception {
        this.runtime = runtime;
        this.function = function;
        this.options = options;
        this.out = out;
        this.sim = new SimClient(runtime.simulator().orElseThrow().baseUrl());
        java.net.URI dynamoDbLocal = runtime.dynamoDbFaults().map(faults -> faults.target()).orElse(runtime.dynamoDbEndpoint());
        this.meter = DynamoDbMeter.start(dynamoDbLocal);
        this.environment = new HashMap<>(runtime.environment(function.logicalId()));
        this.seedClient = DynamoDbClients.create(dynamoDbLocal, "us-east-1", false);
        this.seedStore = new CallStore(seedClient, environment.get(Setting.TABLE_NAME.name()), Clock.systemUTC());
        // The template's grace (the local runtime sets none, since its simulator's clock never races a webhook).
        environment.put(Setting.RECONCILE_GRACE_SECONDS.name(), String.valueOf(Reconciler.Settings.GRACE.toSeconds()));
        environment.put(Setting.DYNAMODB_ENDPOINT.name(), meter.endpoint().toString());
        Config config = Config.of(environment);
        this.period = config.reconcilePeriod();
        this.cap = config.reconcileMaxRequests();
    }

    public static void main(String[] args) throws Exception {
        run(args, System.out);
        System.exit(0);
    }

    /** Runs the benchmark and prints its figures to {@code out}. */
    public static void run(String[] args, PrintStream out) throws Exception {
        ScaleOptions options = ScaleOptions.parse(args);
        LocalRuntime.Options runtimeOptions = LocalRuntime.Options.benchmark();
        SamTemplate.Function function = SamTemplate.read(runtimeOptions.template()).functions().stream()
                .filter(each -> each.handlerClass().equals(ReconcileFunction.class.getName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("template.yaml has no ReconcileFunction"));
        try (LocalRuntime runtime = LocalRuntime.start(runtimeOptions)) {
            ReconcileScale bench = new ReconcileScale(runtime, function, options, out);
            try {
                bench.run();
            } finally {
                bench.meter.close();
                bench.seedClient.close();
            }
        }
    }

    private void run() throws Exception {
        int timeout = options.timeoutSeconds() != null ? options.timeoutSeconds() : function.timeoutSeconds();
        out.printf(Locale.ROOT, "Reconciling at scale: java %s, %d cores, %s%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                java.time.LocalDate.now(ZoneOffset.UTC));
        out.printf(Locale.ROOT, "ReconcileFunction as deployed: RECONCILE_MAX_REQUESTS %d (%d visits a run), RECONCILE_SCHEDULE %s, "
                        + "RECONCILE_GRACE_SECONDS %s, timeout %d s%s, %d MB%n", cap, cap / 2, environment.get(Setting.RECONCILE_SCHEDULE.name()),
                environment.get(Setting.RECONCILE_GRACE_SECONDS.name()), timeout,
                options.timeoutSeconds() != null ? " (--timeout-s; the template says " + function.timeoutSeconds() + ")" : "", function.memoryMb());
        out.println("DynamoDB Local and the Twilio simulator run in this JVM, on loopback; every Twilio request is checked against "
                + "Twilio's OpenAPI contract" + (sim.contractChecked() ? "" : " (not here: the specs were not found)") + ".");
        captureTemplate();
        if (options.latencyMillis() > 0) {
            sim.addFault(Map.of("path", ".*", "delayMillis", options.latencyMillis()));
            out.printf(Locale.ROOT, "Every Twilio request is delayed by %d ms (--latency-ms).%n", options.latencyMillis());
        }
        capped = new ReconcileFunction(Config.of(environment), clock);
        warmedUp = options.warmups() == 0;
        List<SizeSummary> summaries = new ArrayList<>();
        for (int size : options.sizes()) {
            summaries.add(measure(size, timeout));
        }
        printSummary(summaries);
    }

    /** Sets up one call for real and keeps its record as the template of the seeded ones. */
    private void captureTemplate() {
        LiveCalls live = new LiveCalls(runtime);
        LiveCalls.Call call = live.callIn("+14155550100");
        template = seedStore.find(call.taskSid()).orElseThrow(() -> new IllegalStateException("the real call has no record"));
        if (template.ended() || template.conferenceSid == null || template.customerCallSid == null || template.agentCallSid == null) {
            throw new IllegalStateException("the real call's record is not a connected call: " + CallRecordJson.write(template));
        }
        templateJson = CallRecordJson.write(template);
        Map<String, AttributeValue> item = seedClient.getItem(b -> b.tableName(environment.get(Setting.TABLE_NAME.name()))
                .key(Map.of("pk", AttributeValue.fromS("TASK#" + call.taskSid()), "sk", AttributeValue.fromS("CALL")))).item();
        out.printf(Locale.ROOT, "Template record: a call set up through the simulator (customer dials in, %s answers); its item is %d bytes "
                + "(the record's JSON %d), legs %d.%n", call.agent(), itemSize(item), templateJson.length(), template.legs.size());
        live.reset();
        // The template call has ended; its record would stay live until a run settled its tasks, and be one call too many.
        seedStore.update(call.taskSid(), () -> template, r -> {
            if (!r.ended() || r.settledAt != null) {
                return false;
            }
            r.settledAt = Instant.now().toString();
            return true;
        });
    }

    private SizeSummary measure(int size, int timeout) throws Exception {
        out.printf(Locale.ROOT, "%n## %,d live calls%n%n", size);
        long seedStart = System.nanoTime();
        seed(size - seeded.size());
        out.printf(Locale.ROOT, "Seeded to %,d live calls in %.1f s (the simulator's conferences %.1f s, then the records); the live index lists %,d.%n",
                seeded.size(), (System.nanoTime() - seedStart) / 1e9, seedSimulatorSeconds, seedStore.live().size());
        long retained = retainedByLiveList();
        out.printf(Locale.ROOT, "The live list a run holds (LiveCalls.live(), %,d entries): %,d bytes retained, %.0f bytes an entry.%n%n",
                size, retained, retained / (double) size);

        // Runs at the configured cap, one schedule period apart, until every call was visited.
        clock.atLeast(Instant.now().plus(period).plusSeconds(Reconciler.Settings.GRACE.toSeconds()));
        if (!warmedUp) {
            // The JIT's first minutes would otherwise be in the first size's figures.
            for (int i = 0; i < options.warmups(); i++) {
                measureRun(capped, 0, cap, timeout, new HashSet<>());
                clock.advance(period);
            }
            out.printf(Locale.ROOT, "(%d warm-up runs first, not shown.)%n%n", options.warmups());
            warmedUp = true;
        }
        int visitsPerRun = cap / 2;
        int expectedRuns = (size + visitsPerRun - 1) / visitsPerRun;
        int maxRuns = options.runs() != null ? options.runs() : 3 * expectedRuns;
        Set<String> visited = new HashSet<>();
        List<Run> runs = new ArrayList<>();
        Integer runsToVisitAll = null;
        printRunHeader();
        for (int number = 1; number <= maxRuns && runsToVisitAll == null; number++) {
            Run run = measureRun(capped, number, cap, timeout, visited);
            runs.add(run);
            printRun(run);
            if (visited.size() >= size) {
                runsToVisitAll = number;
            }
            clock.advance(period);
        }
        int neverVisited = size - visited.size();
        if (runsToVisitAll != null) {
            out.printf(Locale.ROOT, "%nEvery call was visited after %d run(s) (%s of the schedule); %d run(s) expected (%,d calls / %d visits a run).%n",
                    runsToVisitAll, describe(period.multipliedBy(runsToVisitAll)), expectedRuns, size, visitsPerRun);
        } else {
            out.printf(Locale.ROOT, "%n%,d of %,d calls were not visited in %d runs (%d expected to visit them all).%n",
                    neverVisited, size, runs.size(), expectedRuns);
        }

        // One run with the cap raised to visit every call at once.
        Run single = null;
        String note;
        if (options.latencyMillis() > 0) {
            note = "skipped with --latency-ms";
        } else {
            int raised = Math.max(cap, 2 * size);
            Map<String, String> raisedEnvironment = new HashMap<>(environment);
            raisedEnvironment.put(Setting.RECONCILE_MAX_REQUESTS.name(), String.valueOf(raised));
            ReconcileFunction function = new ReconcileFunction(Config.of(raisedEnvironment), clock);
            out.printf(Locale.ROOT, "%nOne run with RECONCILE_MAX_REQUESTS %d and a %d s timeout:%n%n", raised, LAMBDA_MAX_TIMEOUT_SECONDS);
            printRunHeader();
            single = measureRun(function, 1, raised, LAMBDA_MAX_TIMEOUT_SECONDS, new HashSet<>());
            printRun(single);
            clock.advance(period);
            note = single.visited() == size ? "visited every call" : "visited " + single.visited() + " of " + size;
        }
        return new SizeSummary(size, cap, runs, runsToVisitAll, neverVisited, single, note, retained);
    }

    /** Adds {@code count} live calls: their conferences in the simulator, their records through the product's store. */
    private void seed(int count) throws Exception {
        if (count <= 0) {
            return;
        }
        List<String> names = new ArrayList<>();
        List<String> customers = new ArrayList<>();
        List<String> agents = new ArrayList<>();
        for (int i = seeded.size(); i < seeded.size() + count; i++) {
            names.add(String.format("WT5ca1e%027x", i));
            customers.add(String.format("+1415%08d", i));
            agents.add(String.format("client:agent%06d", i));
        }
        String callback = WebhookUrls.withRetries(environment.get(Setting.PUBLIC_BASE_URL.name()) + CallSetup.CONFERENCE_EVENTS_PATH);
        long start = System.nanoTime();
        List<SimClient.SeededCall> calls = sim.seedConferences(names, customers, agents, callback, CallSetup.CONFERENCE_EVENTS);
        seedSimulatorSeconds = (System.nanoTime() - start) / 1e9;
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (SimClient.SeededCall call : calls) {
                String json = templateJson.replace(template.taskSid, call.name()).replace(template.conferenceSid, call.conferenceSid())
                        .replace(template.customerCallSid, call.customerCallSid()).replace(template.agentCallSid, call.agentCallSid());
                writes.add(writers.submit(() -> {
                    CallRecord record = CallRecordJson.read(json);
                    seedStore.update(record.taskSid, () -> record, found -> found == record);
                }));
                seeded.add(new Seeded(call.name(), call.conferenceSid()));
            }
            for (Future<?> write : writes) {
                write.get();
            }
        } finally {
            writers.shutdown();
        }
    }

    /** One invocation of the function, as EventBridge makes it, measured. */
    private Run measureRun(ReconcileFunction function, int number, int runCap, int timeoutSeconds, Set<String> visited) {
        meter.reset();
        sim.clearRequests();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        Map<String, Object> outcome = function.handleRequest(event(), new LocalContext(this.function, UUID.randomUUID().toString(), timeoutSeconds));
        double wall = (System.nanoTime() - start) / 1e6;
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        List<JsonNode> requests = sim.requests();
        int before = visited.size();
        int errors = 0;
        for (JsonNode request : requests) {
            Matcher fetch = CONFERENCE_FETCH.matcher(request.path("path").asText());
            if (request.path("method").asText().equals("GET") && fetch.find()) {
                visited.add(fetch.group(1));
            }
            if (request.path("status").asInt() >= 400) {
                errors++;
            }
        }
        int live = ((Number) outcome.get("live")).intValue();
        return new Run(number, runCap, live, ((Number) outcome.get("visited")).intValue(), visited.size() - before,
                seeded.size() - visited.size(), wall, meter.reading(), requests.size(), errors, allocated,
                Boolean.TRUE.equals(outcome.get("stoppedEarly")));
    }

    private void printRunHeader() {
        out.println("| Run | Live | Visited | Newly visited | Not yet visited | Wall (ms) | Index query: pages, items, ms | GetItem: requests, ms | "
                + "Read units (DynamoDB Local) | Read units (item sizes): index + records | Twilio requests | per visit | Allocated (MB) | Stopped early |");
        out.println("| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- | ---: | ---: | ---: | --- |");
    }

    private void printRun(Run run) {
        DynamoDbMeter.Reading dynamo = run.dynamo();
        out.printf(Locale.ROOT, "| %d | %,d | %,d | %,d | %,d | %.0f | %d, %,d, %.0f | %,d, %.0f | %s | %.1f + %.1f = %.1f | %,d%s | %.2f | %.1f | %s |%n",
                run.number(), run.live(), run.visited(), run.newlyVisited(), run.notYetVisited(), run.wallMillis(),
                dynamo.queryPages(), dynamo.queryItems(), dynamo.queryMillis(), dynamo.requests("GetItem"), dynamo.getMillis(),
                dynamo.reported() ? String.format(Locale.ROOT, "%.1f", dynamo.reportedUnits()) : "not reported",
                dynamo.queryUnits(), dynamo.getUnits(), dynamo.computedUnits(),
                run.twilioRequests(), run.twilioErrors() > 0 ? " (" + run.twilioErrors() + " errors)" : "",
                run.visited() == 0 ? 0.0 : run.twilioRequests() / (double) run.visited(), run.allocatedBytes() / 1e6,
                run.stoppedEarly() ? "yes" : "no");
    }

    private void printSummary(List<SizeSummary> summaries) {
        out.printf(Locale.ROOT, "%n## Summary%n%n");
        out.println("| Live calls | Runs to visit every call (cap) | Capped run: wall ms, median (min–max) | its index query: pages (most items a page), ms median | "
                + "Twilio requests a run | Read units a run (item sizes): index + records | Index entry / record (bytes) | Allocated a run (MB, median) | "
                + "Live list retained (KB) | One run, cap 2N: wall ms | its Twilio requests (per call) | its read units (per call) | Heap used after GC (MB) |");
        out.println("| ---: | --- | --- | --- | ---: | --- | --- | ---: | ---: | ---: | --- | --- | ---: |");
        for (SizeSummary summary : summaries) {
            List<Run> runs = summary.capped();
            List<Double> walls = runs.stream().map(Run::wallMillis).toList();
            Run typical = runs.get(runs.size() / 2);
            DynamoDbMeter.Reading dynamo = typical.dynamo();
            double entry = dynamo.queryItems() == 0 ? 0 : dynamo.queryBytes() / (double) dynamo.queryItems();
            double record = dynamo.getItems() == 0 ? 0 : dynamo.getBytes() / (double) dynamo.getItems();
            List<Double> allocated = runs.stream().map(run -> run.allocatedBytes() / 1e6).toList();
            String single = "–";
            String singleTwilio = summary.singleNote();
            String singleUnits = "–";
            if (summary.single() != null) {
                Run run = summary.single();
                single = String.format(Locale.ROOT, "%.0f", run.wallMillis());
                singleTwilio = String.format(Locale.ROOT, "%,d (%.2f)%s", run.twilioRequests(), run.twilioRequests() / (double) Math.max(1, run.visited()),
                        run.visited() == summary.calls() ? "" : ", " + summary.singleNote());
                singleUnits = String.format(Locale.ROOT, "%.1f + %.1f = %.1f (%.2f)", run.dynamo().queryUnits(), run.dynamo().getUnits(),
                        run.dynamo().computedUnits(), run.dynamo().computedUnits() / Math.max(1, run.visited()));
            }
            out.printf(Locale.ROOT, "| %,d | %s (%d) | %s | %d (%,d), %.0f | %,d | %.1f + %.1f = %.1f | %.0f / %.0f | %.1f | %.0f | %s | %s | %s | %.0f |%n",
                    summary.calls(),
                    summary.runsToVisitAll() != null ? String.valueOf(summary.runsToVisitAll()) : String.format(Locale.ROOT, "not all in %d (%,d not visited)", runs.size(), summary.neverVisited()),
                    summary.cap(), Report.summary(walls), dynamo.queryPages(), dynamo.maxPageItems(),
                    median(runs.stream().map(run -> run.dynamo().queryMillis()).toList()), typical.twilioRequests(),
                    dynamo.queryUnits(), dynamo.getUnits(), dynamo.computedUnits(), entry, record, median(allocated),
                    summary.retainedBytes() / 1e3, single, singleTwilio, singleUnits, heapAfterGc() / 1e6);
        }
        out.println();
        out.println("Read units follow DynamoDB's rules on the items answered (index pages eventually consistent, records strongly consistent); "
                + "\"DynamoDB Local\" is what DynamoDB Local reports for ReturnConsumedCapacity. Wall time includes the simulator's and "
                + "DynamoDB Local's own work, in this JVM; Twilio's latency is not in it unless --latency-ms adds one.");
    }

    /** Bytes the list of live calls keeps reachable: the heap after a collection, with and without it. */
    private long retainedByLiveList() {
        long before = heapAfterGc();
        List<Entry> list = seedStore.live();
        long after = heapAfterGc();
        java.lang.ref.Reference.reachabilityFence(list);
        return Math.max(0, after - before);
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? 0 : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String describe(Duration duration) {
        long minutes = duration.toMinutes();
        return minutes >= 1 && duration.equals(Duration.ofMinutes(minutes)) ? minutes + " min" : duration.toSeconds() + " s";
    }

    /** An item's size by DynamoDB's rules, for the string and number attributes the store writes. */
    private static long itemSize(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += attribute.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            AttributeValue value = attribute.getValue();
            if (value.s() != null) {
                size += value.s().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            } else if (value.n() != null) {
                size += (value.n().replaceAll("[^0-9]", "").replaceAll("^0+", "").length() + 1) / 2 + 1;
            }
        }
        return size;
    }

    private ScheduledEvent event() {
        return new ScheduledEvent().withId(UUID.randomUUID().toString()).withDetailType("Scheduled Event").withSource("aws.events")
                .withAccount("123456789012").withRegion("us-east-1").withTime(new DateTime(clock.millis()))
                .withResources(List.of("arn:aws:events:us-east-1:123456789012:rule/" + function.logicalId() + "-Every")).withDetail(Map.of());
    }
}
