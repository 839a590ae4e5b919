package dev.callcontrol.local.bench;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.LiveCalls;
import dev.callcontrol.local.LocalRuntime;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.local.SamTemplate;
import dev.callcontrol.local.bench.Report.Row;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.callcontrol.local.bench.LambdaJvm.functionEnvironment;
import static dev.callcontrol.local.bench.LambdaJvm.javaBinary;
import static dev.callcontrol.local.bench.LambdaJvm.lambdaEnvironment;
import static dev.callcontrol.local.bench.LambdaJvm.lambdaJava;
import static dev.callcontrol.local.bench.LambdaJvm.runtimeCommand;
import static dev.callcontrol.local.bench.Report.print;
import static dev.callcontrol.local.bench.Report.printComparison;
import static dev.callcontrol.local.bench.Report.summary;

/**
 * The cold-start benchmark (not a test). For each function of template.yaml it starts a fresh JVM
 * per run, exactly as Lambda's java21 runtime does: the AWS Lambda Runtime Interface Client
 * ({@link AWSLambda}) as the main class with only the runtime's own jars on the class path, the
 * runtime's JVM flags, the deployable jars in a {@code lib/} folder of the working directory (as in
 * {@code /var/task}, loaded by the runtime's customer class loader) and the function's environment. The benchmark plays the Lambda Runtime API on a loopback
 * port and hands over one of the function's sample events from {@code events/}. A run is timed
 * from just before the process starts until its response arrives at the Runtime API, and the
 * process's peak resident memory (VmHWM) is read at that moment. DynamoDB Local and the Twilio
 * simulator stand in for AWS and Twilio, so the path does its real requests.
 *
 * <p>Each function runs {@code runs} times on every core, then {@code runs} times pinned to one
 * core ({@code taskset -c 0}), beside three floors measured the same way: a JVM hello world (a
 * {@code main} sending one request), and a hello-world handler behind the same Runtime Interface
 * Client in its POJO form (the runtime's event serializer loads) and in its stream form (it does
 * not, as for every function).
 *
 * <p>With {@code --snapstart} first, it measures instead what SnapStart leaves of a cold start: the
 * first invocation after initialisation, unprimed and primed ({@link PrimedStart}).
 *
 * <p>With {@code --cds} first, it measures an application class-data-sharing archive: for each
 * function, one training run writes a dynamic archive of every class the cold start loaded
 * ({@code -XX:ArchiveClassesAtExit}, the process stopped with SIGTERM as Lambda stops a runtime),
 * then one-core runs without and with it ({@code -XX:SharedArchiveFile} in {@code JAVA_TOOL_OPTIONS}),
 * interleaved.
 *
 * <p>Usage: {@code local/coldstart [--snapstart|--cds] [runs] [filter]} (default 5 runs, every function; the filter keeps the
 * functions whose name contains one of its comma-separated parts, case-insensitively).
 * {@code COLDSTART_JAVA_TOOL_OPTIONS} replaces the template's {@code JAVA_TOOL_OPTIONS} for an
 * experiment (empty for none).
 *
 * <p>This class drives the runs; {@link RuntimeApi} plays the Runtime API and times one cold start,
 * {@link LambdaJvm} gives the runtime's command line and environment, {@link Comparisons} runs the
 * {@code --snapstart} and {@code --cds} modes, and {@link Report} prints the tables.
 */
public final class ColdStart {
    private final Path root;
    private final List<String> runtimeClasspath;
    private final Path task;
    private final boolean taskset;
    /** The Runtime API the current run's processes poll. */
    private RuntimeApi api;
    private boolean snapstart;
    private boolean cds;
    /** Live calls for the agent-API samples; null where there is no simulator. */
    private LiveCalls live;
    /** The task and the worker the agent-API samples in events/ name, replaced by a live call's. */
    static final String SAMPLE_TASK = "WT0123456789abcdef0123456789abcdef";
    static final String SAMPLE_WORKER = DemoWorkspace.ALICE;
    private static final String SEEDED_CUSTOMER = "+14155550123";

    private ColdStart(Path root, List<String> runtimeClasspath, Path task, boolean taskset) {
        this.root = root;
        this.runtimeClasspath = runtimeClasspath;
        this.task = task;
        this.taskset = taskset;
    }

    public static void main(String[] arguments) throws Exception {
        boolean snapstart = arguments.length > 0 && arguments[0].equals("--snapstart");
        boolean cds = arguments.length > 0 && arguments[0].equals("--cds");
        String[] args = snapstart || cds ? java.util.Arrays.copyOfRange(arguments, 1, arguments.length) : arguments;
        if (args.length > 0 && args[0].startsWith("--")) {
            System.err.println("usage: local/coldstart [--snapstart|--cds] [runs] [filter] (one mode at most; got " + String.join(" ", arguments) + ")");
            System.exit(2);
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String filter = args.length > 1 ? args[1] : "";
        Path root = Path.of("").toAbsolutePath();
        Path deploy = root.resolve("functions/target");
        // What functions/Makefile ships: lib/ of the deployment (one jar, the functions and their dependencies).
        List<String> deployJars = new ArrayList<>();
        try (Stream<Path> libs = Files.list(deploy.resolve("lambda/lib"))) {
            libs.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> deployJars.add(p.toString()));
        }
        // What Lambda's java21 runtime puts on the class path itself (/var/runtime/lib): the RIC and its serialization.
        List<String> runtimeJars = new ArrayList<>();
        for (Class<?> type : List.of(AWSLambda.class, com.amazonaws.services.lambda.runtime.serialization.PojoSerializer.class,
                com.amazonaws.services.lambda.runtime.Context.class)) {
            runtimeJars.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        // The function's code as Lambda unpacks it: /var/task/lib/*.jar, the process's working directory,
        // loaded by the runtime's customer class loader (not from the class path).
        Path task = root.resolve("local/target/coldstart-task");
        Path taskLib = task.resolve("lib");
        if (Files.isDirectory(taskLib)) {
            try (Stream<Path> old = Files.list(taskLib)) {
                for (Path jar : old.toList()) {
                    Files.delete(jar);
                }
            }
        }
        Files.createDirectories(taskLib);
        for (String jar : deployJars) {
            Files.copy(Path.of(jar), taskLib.resolve(Path.of(jar).getFileName()));
        }
        boolean taskset = new ProcessBuilder("taskset", "-c", "0", "true").start().waitFor() == 0;
        ColdStart bench = new ColdStart(root, runtimeJars, task, taskset);
        bench.snapstart = snapstart;
        bench.cds = cds;
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.benchmark())) {
            bench.live = runtime.simulator().isPresent() ? new LiveCalls(runtime) : null;
            bench.run(runtime, runs, filter, deployJars);
        }
        System.exit(0);
    }

    private void run(LocalRuntime runtime, int runs, String filter, List<String> deployJars) throws Exception {
        try (RuntimeApi api = RuntimeApi.start(root)) {
            this.api = api;
            String apiAddress = api.address();
            Comparisons comparisons = new Comparisons(root, runtimeClasspath, task, taskset, api);
            List<Row> rows = new ArrayList<>();
            List<String> primedRows = new ArrayList<>();
            if (!snapstart && !cds) {
                rows.add(floor("JVM hello world (main)", runs, null, apiAddress));
                rows.add(floor("hello handler behind the RIC", runs, Hello.class, apiAddress));
                rows.add(floor("hello stream handler behind the RIC", runs, HelloStream.class, apiAddress));
            }
            for (SamTemplate.Function function : SamTemplate.read(root.resolve("template.yaml")).functions()) {
                String name = function.logicalId().toLowerCase(Locale.ROOT);
                if (Stream.of(filter.toLowerCase(Locale.ROOT).split(",")).noneMatch(name::contains)) {
                    continue;
                }
                Path event = sampleEvent(function);
                // The sample events are signed for events/env.json's settings; only the backends are the benchmark's.
                Map<String, String> environment = new LinkedHashMap<>();
                Json.MAPPER.readTree(root.resolve("events/env.json").toFile()).path(function.logicalId())
                        .fields().forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
                Map<String, String> local = runtime.environment(function.logicalId());
                for (String backend : List.of("DYNAMODB_ENDPOINT", "TWILIO_API_BASE_URL", "TABLE_NAME")) {
                    environment.put(backend, local.get(backend));
                }
                // The JVM options the template gives every function (tiered compilation), as Lambda would pass them;
                // COLDSTART_JAVA_TOOL_OPTIONS replaces them for an experiment ("" for none).
                String experiment = System.getenv("COLDSTART_JAVA_TOOL_OPTIONS");
                if (experiment != null) {
                    if (!experiment.isBlank()) {
                        environment.put("JAVA_TOOL_OPTIONS", experiment);
                    }
                } else if (function.environment().get("JAVA_TOOL_OPTIONS") instanceof String options) {
                    environment.put("JAVA_TOOL_OPTIONS", options);
                }
                if (snapstart) {
                    primedRows.add(comparisons.primed(function, event, functionEnvironment(function, environment, apiAddress), runs));
                } else if (cds) {
                    primedRows.add(comparisons.archived(function, event, functionEnvironment(function, environment, apiAddress), runs));
                } else {
                    rows.add(function(function, event, functionEnvironment(function, environment, apiAddress), runs));
                }
            }
            if (snapstart) {
                printComparison("SnapStart emulation", "First invocation, unprimed: median (min–max) ms | "
                        + "First invocation, primed: median (min–max) ms | Priming at checkpoint: median ms", primedRows, runs, taskset);
            } else if (cds) {
                printComparison("Application class-data sharing", "Cold, no archive: median (min–max) ms | "
                        + "Cold, with the function's archive: median (min–max) ms | Archive MB", primedRows, runs, taskset);
            } else {
                print(rows, runs, deployJars, taskset);
            }
        }
    }

    /**
     * The function's first sample event (by file name) whose route is one of the function's, the
     * ones meant to be refused (no token, unsigned, malformed) last.
     */
    private Path sampleEvent(SamTemplate.Function function) throws IOException {
        List<String> keys = function.routes().stream().map(r -> r.method() + " " + r.path()).toList();
        Comparator<Path> refusedLast = Comparator.comparing((Path p) -> p.getFileName().toString().matches(".*-(no-token|unsigned|malformed)\\.json"))
                .thenComparing(p -> p.getFileName().toString());
        try (Stream<Path> files = Files.list(root.resolve("events"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().equals("env.json")).sorted(refusedLast).toList()) {
                if (keys.contains(Json.MAPPER.readTree(file.toFile()).path("routeKey").asText())) {
                    return file;
                }
            }
        }
        throw new IllegalStateException(function.logicalId() + " has no sample event");
    }

    private Row function(SamTemplate.Function function, Path event, Map<String, String> env, int runs) throws Exception {
        byte[] sample = Files.readAllBytes(event);
        List<String> command = runtimeCommand(function, runtimeClasspath);
        if (live != null && seeded(function)) {
            // An agent-API route on a call: each run gets a live call of its own, set up by the local
            // runtime's copy of the product through the simulator, and put back after the run.
            String text = new String(sample, StandardCharsets.UTF_8);
            java.util.function.Supplier<byte[]> body = () -> {
                live.reset(); // what the samples before left behind (an outbound call's task rings an agent)
                LiveCalls.Call call = live.callIn(SEEDED_CUSTOMER);
                // A key of its own per run, as a retrying client keeps one per operation: reusing one for another call is a 400.
                return text.replace(SAMPLE_TASK, call.taskSid()).replace(SAMPLE_WORKER, call.workerSid())
                        .replaceAll("(\"idempotency-key\"\\s*:\\s*\")[^\"]*\"", "$1" + UUID.randomUUID() + "\"")
                        .getBytes(StandardCharsets.UTF_8);
            };
            return measure(function.logicalId(), event.getFileName() + " on a live call", command, env, body, live::reset, runs, task);
        }
        return measure(function.logicalId(), event.getFileName().toString(), command, env, () -> sample, () -> { }, runs, task);
    }

    /** The agent-API routes about one call ({@code /calls/{taskSid}...}), whose samples name {@link #SAMPLE_TASK}. */
    private static boolean seeded(SamTemplate.Function function) {
        return function.routes().stream().anyMatch(route -> route.path().startsWith("/calls/{taskSid}"));
    }

    /** A floor: {@code handler} behind the Runtime Interface Client, or with none a plain {@code main}. */
    private Row floor(String name, int runs, Class<?> handler, String api) throws Exception {
        String classes = Path.of(Hello.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Map<String, String> env = lambdaEnvironment("Hello", (handler == null ? Hello.class : handler).getName() + "::handleRequest", 1024, api);
        List<String> command;
        if (handler != null) {
            List<String> classpath = new ArrayList<>(runtimeClasspath);
            classpath.add(classes);
            command = lambdaJava(1024, classpath);
            command.add(AWSLambda.class.getName());
            command.add(handler.getName() + "::handleRequest");
        } else {
            command = new ArrayList<>(List.of(javaBinary(), "-cp", classes, HelloMain.class.getName(), "http://" + api));
        }
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        return measure(name, "-", command, env, () -> empty, () -> { }, runs, root);
    }

    private Row measure(String name, String event, List<String> command, Map<String, String> env, java.util.function.Supplier<byte[]> body,
                        Runnable after, int runs, Path directory) throws Exception {
        List<Double> all = new ArrayList<>();
        List<Double> one = new ArrayList<>();
        List<Long> rss = new ArrayList<>();
        String status = "?";
        for (int run = 0; run < runs; run++) {
            for (boolean pinned : taskset ? List.of(false, true) : List.of(false)) {
                List<String> line = new ArrayList<>();
                if (pinned) {
                    line.addAll(List.of("taskset", "-c", "0"));
                }
                line.addAll(command);
                RuntimeApi.Result result;
                try {
                    result = api.once(line, env, body.get(), directory, false);
                } finally {
                    after.run();
                }
                (pinned ? one : all).add(result.millis());
                if (!pinned) {
                    rss.add(result.peakRssKb());
                }
                status = result.status();
            }
        }
        System.err.printf("%-40s all cores %s ms, one core %s ms%n", name, summary(all), summary(one));
        return new Row(name, event, status, all, one, rss);
    }
}
