package dev.callcontrol.local.bench;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.LiveCalls;
import dev.callcontrol.local.LocalRuntime;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.local.SamTemplate;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
 */
public final class ColdStart {
    private static final String RUNTIME_API = "/2018-06-01/runtime/invocation/";

    private final Path root;
    private final List<String> runtimeClasspath;
    private final Path task;
    private final boolean taskset;
    private volatile Invocation current;
    private boolean snapstart;
    private boolean cds;
    /** Live calls for the agent-API samples; null where there is no simulator. */
    private LiveCalls live;
    /** The task and the worker the agent-API samples in events/ name, replaced by a live call's. */
    static final String SAMPLE_TASK = "WT0123456789abcdef0123456789abcdef";
    static final String SAMPLE_WORKER = DemoWorkspace.ALICE;
    private static final String SEEDED_CUSTOMER = "+14155550123";

    /** The one invocation the Runtime API is serving now. */
    private static final class Invocation {
        final String requestId = UUID.randomUUID().toString();
        final byte[] event;
        final CompletableFuture<String> response = new CompletableFuture<>();
        volatile long answeredNanos;
        volatile long peakRssKb = -1;
        volatile Process process;

        Invocation(byte[] event) {
            this.event = event;
        }
    }

    /** One function's (or floor's) figures. */
    record Row(String name, String event, String status, List<Double> allCores, List<Double> oneCore, List<Long> rssKb) {
    }

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
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        api.createContext("/", this::serve);
        // A thread per request: a process's second poll for work is parked until the process is killed.
        api.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        api.start();
        String apiAddress = "127.0.0.1:" + api.getAddress().getPort();
        try {
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
                    primedRows.add(primed(function, event, functionEnvironment(function, environment, apiAddress), runs));
                } else if (cds) {
                    primedRows.add(archived(function, event, functionEnvironment(function, environment, apiAddress), runs));
                } else {
                    rows.add(function(function, event, functionEnvironment(function, environment, apiAddress), runs));
                }
            }
            if (snapstart) {
                printComparison("SnapStart emulation", "First invocation, unprimed: median (min–max) ms | "
                        + "First invocation, primed: median (min–max) ms | Priming at checkpoint: median ms", primedRows, runs);
            } else if (cds) {
                printComparison("Application class-data sharing", "Cold, no archive: median (min–max) ms | "
                        + "Cold, with the function's archive: median (min–max) ms | Archive MB", primedRows, runs);
            } else {
                print(rows, runs, deployJars);
            }
        } finally {
            api.stop(0);
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

    /** What Lambda sets for the function, then its own environment over it. */
    private static Map<String, String> functionEnvironment(SamTemplate.Function function, Map<String, String> environment, String api) {
        Map<String, String> env = lambdaEnvironment(function.logicalId(), function.handler(), function.memoryMb(), api);
        env.putAll(environment);
        return env;
    }

    /** The runtime's command line for the function: its JVM, the Runtime Interface Client and the handler. */
    private List<String> runtimeCommand(SamTemplate.Function function) {
        List<String> command = lambdaJava(function.memoryMb(), runtimeClasspath);
        command.add(AWSLambda.class.getName());
        command.add(function.handler());
        return command;
    }

    private Row function(SamTemplate.Function function, Path event, Map<String, String> env, int runs) throws Exception {
        byte[] sample = Files.readAllBytes(event);
        List<String> command = runtimeCommand(function);
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

    /**
     * An application class-data-sharing archive's effect on one function: a training run dumps the
     * classes its cold start loaded, then one-core runs without and with the archive, interleaved.
     */
    private String archived(SamTemplate.Function function, Path event, Map<String, String> env, int runs) throws Exception {
        byte[] body = Files.readAllBytes(event);
        String options = env.getOrDefault("JAVA_TOOL_OPTIONS", "");
        List<String> command = new ArrayList<>();
        if (taskset) {
            command.addAll(List.of("taskset", "-c", "0"));
        }
        command.addAll(runtimeCommand(function));

        Path archive = task.resolve("cds").resolve(function.logicalId() + ".jsa");
        Files.createDirectories(archive.getParent());
        Files.deleteIfExists(archive);
        Map<String, String> training = new LinkedHashMap<>(env);
        training.put("JAVA_TOOL_OPTIONS", (options + " -XX:ArchiveClassesAtExit=" + archive).strip());
        once(command, training, body, task, true);
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException(function.logicalId() + ": the training run wrote no archive: see local/target/coldstart-last.log");
        }
        Map<String, String> withArchive = new LinkedHashMap<>(env);
        withArchive.put("JAVA_TOOL_OPTIONS", (options + " -XX:SharedArchiveFile=" + archive).strip());
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        String status = "?";
        for (int run = 0; run < runs; run++) {
            without.add(once(command, env, body, task, false).millis());
            Result result = once(command, withArchive, body, task, false);
            with.add(result.millis());
            status = result.status();
        }
        System.err.printf("%-40s one core without an archive %s ms, with %s ms%n", function.logicalId(), summary(without), summary(with));
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.1f |", function.logicalId(), event.getFileName(), status,
                summary(without), summary(with), Files.size(archive) / 1_000_000.0);
    }

    /**
     * SnapStart's share of a cold start, emulated on a JVM without CRaC ({@link PrimedStart}): the
     * first invocation after initialisation, unprimed and after every priming step, each in a fresh
     * JVM pinned to one core (when taskset exists).
     */
    private String primed(SamTemplate.Function function, Path event, Map<String, String> env, int runs) throws Exception {
        List<String> classpath = new ArrayList<>(runtimeClasspath);
        classpath.add(Path.of(PrimedStart.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        List<Double> unprimed = new ArrayList<>();
        List<Double> primed = new ArrayList<>();
        List<Double> priming = new ArrayList<>();
        String status = "?";
        for (int run = 0; run < runs; run++) {
            for (boolean prime : List.of(false, true)) {
                List<String> command = new ArrayList<>();
                if (taskset) {
                    command.addAll(List.of("taskset", "-c", "0"));
                }
                command.addAll(lambdaJava(function.memoryMb(), classpath));
                command.addAll(List.of(PrimedStart.class.getName(), function.handlerClass(), event.toAbsolutePath().toString(), String.valueOf(prime)));
                ProcessBuilder builder = new ProcessBuilder(command).directory(task.toFile()).redirectErrorStream(true);
                builder.environment().clear();
                builder.environment().putAll(env);
                Process process = builder.start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(function.logicalId() + ": no answer within 60 s");
                }
                java.util.regex.Matcher line = java.util.regex.Pattern.compile("(?m)^([0-9.]+) ([0-9.]+) ([0-9.]+) (\\{.*)$").matcher(output);
                if (!line.find()) {
                    Files.writeString(root.resolve("local/target/coldstart-last.log"), output);
                    throw new IllegalStateException(function.logicalId() + " gave no figures: see local/target/coldstart-last.log");
                }
                (prime ? primed : unprimed).add(Double.parseDouble(line.group(3)));
                if (prime) {
                    priming.add(Double.parseDouble(line.group(2)));
                }
                status = Json.MAPPER.readTree(line.group(4)).path("statusCode").asText("?");
            }
        }
        System.err.printf("%-40s first invocation unprimed %s ms, primed %s ms%n", function.logicalId(), summary(unprimed), summary(primed));
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |", function.logicalId(), event.getFileName(), status,
                summary(unprimed), summary(primed), summary(priming));
    }

    /** A one-core comparison table: its title line, then six columns per function. */
    private void printComparison(String title, String columns, List<String> rows, int runs) {
        System.out.printf("%s: %d runs per function and mode, a fresh JVM each (%s), java %s%n%n", title, runs,
                taskset ? "pinned with taskset -c 0" : "taskset not found: all cores", Runtime.version());
        System.out.println("| Function | Sample event | Status | " + columns + " |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        rows.forEach(System.out::println);
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

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The JVM command line of Lambda's java21 runtime for a function of this memory size. */
    private static List<String> lambdaJava(int memoryMb, List<String> classpath) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        // The runtime's own flags: 85% of the memory as heap, the serial collector, class-data sharing.
        command.add("-XX:MaxHeapSize=" + (memoryMb * 1024L * 85 / 100) + "k");
        // Lambda's execution environment has the function's memory as its RAM, which sizes the JVM's
        // initial heap (a 64th: 16 MB at 1,024 MB) and so how often a cold start collects; on this
        // machine's RAM the initial heap would be hundreds of MB and never collect.
        command.add("-XX:MaxRAM=" + memoryMb + "m");
        command.add("-XX:+UseSerialGC");
        command.add("-Xshare:auto");
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        return command;
    }

    private static Map<String, String> lambdaEnvironment(String name, String handler, int memoryMb, String api) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_LAMBDA_RUNTIME_API", api);
        env.put("_HANDLER", handler);
        env.put("AWS_LAMBDA_FUNCTION_NAME", name);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String.valueOf(memoryMb));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "coldstart");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("TZ", ":UTC");
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return env;
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
                Result result;
                try {
                    result = once(line, env, body.get(), directory, false);
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

    private record Result(double millis, long peakRssKb, String status) {
    }

    /** One cold start; {@code graceful} stops the process with SIGTERM and waits for it to exit, as a training run must. */
    private Result once(List<String> command, Map<String, String> env, byte[] body, Path directory, boolean graceful) throws Exception {
        Invocation invocation = new Invocation(body);
        current = invocation;
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(root.resolve("local/target/coldstart-last.log").toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        invocation.process = process;
        String response;
        try {
            CompletableFuture.anyOf(invocation.response, process.onExit()).get(60, TimeUnit.SECONDS);
            if (!invocation.response.isDone()) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                        + " before answering: see local/target/coldstart-last.log");
            }
            response = invocation.response.get();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no response within 60 s: see local/target/coldstart-last.log");
        } finally {
            if (graceful) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } else {
                process.destroyForcibly();
            }
            process.waitFor(10, TimeUnit.SECONDS);
        }
        double millis = (invocation.answeredNanos - start) / 1_000_000.0;
        String status = "-";
        try {
            JsonNode answer = Json.MAPPER.readTree(response);
            if (answer.has("statusCode")) {
                status = answer.path("statusCode").asText();
            }
        } catch (IOException e) {
            status = "-";
        }
        if (status.startsWith("4") || status.startsWith("5")) {
            // What the function answered, for telling a sample's expected refusal from a broken run.
            Files.writeString(root.resolve("local/target/coldstart-last-refusal.json"), response);
        }
        return new Result(millis, invocation.peakRssKb, status);
    }

    /** The Runtime API: the next event, then the response (or an error) for it. */
    private void serve(HttpExchange exchange) throws IOException {
        Invocation invocation = current;
        String path = exchange.getRequestURI().getPath();
        byte[] in = exchange.getRequestBody().readAllBytes();
        if (path.equals(RUNTIME_API + "next")) {
            exchange.getResponseHeaders().set("Lambda-Runtime-Aws-Request-Id", invocation.requestId);
            exchange.getResponseHeaders().set("Lambda-Runtime-Deadline-Ms", String.valueOf(System.currentTimeMillis() + 15_000));
            exchange.getResponseHeaders().set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:coldstart");
            exchange.getResponseHeaders().set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000");
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (invocation.response.isDone()) {
                // A second poll after the response: the process stays parked until it is killed.
                sleepQuietly();
            }
            exchange.sendResponseHeaders(200, invocation.event.length);
            exchange.getResponseBody().write(invocation.event);
        } else if (path.endsWith("/response") || path.endsWith("/error") || path.startsWith("/hello")) {
            invocation.answeredNanos = System.nanoTime();
            invocation.peakRssKb = peakRss(invocation.process);
            exchange.sendResponseHeaders(202, -1);
            invocation.response.complete(path.endsWith("/error") ? "{\"statusCode\":\"error\"}" : new String(in, StandardCharsets.UTF_8));
        } else {
            exchange.sendResponseHeaders(404, -1);
        }
        exchange.close();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** VmHWM of the JVM (the child of taskset when pinned), in kB; -1 when unknown. */
    private static long peakRss(Process process) {
        if (process == null) {
            return -1;
        }
        try {
            List<ProcessHandle> java = new ArrayList<>(process.toHandle().descendants().toList());
            java.add(0, process.toHandle());
            long best = -1;
            for (ProcessHandle handle : java) {
                Path status = Path.of("/proc", String.valueOf(handle.pid()), "status");
                if (Files.exists(status)) {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("VmHWM:")) {
                            best = Math.max(best, Long.parseLong(line.replaceAll("\\D", "")));
                        }
                    }
                }
            }
            return best;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String summary(List<Double> values) {
        if (values.isEmpty()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.0f (%.0f–%.0f)", median(values), values.stream().min(Comparator.naturalOrder()).orElseThrow(),
                values.stream().max(Comparator.naturalOrder()).orElseThrow());
    }

    private void print(List<Row> rows, int runs, List<String> deployJars) throws IOException {
        long bytes = 0;
        for (String jar : deployJars) {
            bytes += Files.size(Path.of(jar));
        }
        System.out.printf("Cold start: %d runs per function, a fresh JVM each (%s), java %s, %d cores%n", runs,
                taskset ? "also pinned with taskset -c 0" : "taskset not found: no one-core figures", Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("Deployable: %d jars, %.1f MB%n%n", deployJars.size(), bytes / 1_000_000.0);
        System.out.println("| Function | Sample event | Status | Cold, all cores: median (min–max) ms | Cold, one core: median (min–max) ms | Peak RSS, median MB |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        for (Row row : rows) {
            double rss = row.rssKb().stream().mapToLong(Long::longValue).sorted().skip(row.rssKb().size() / 2).findFirst().orElse(-1) / 1024.0;
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %.0f |%n", row.name(), row.event(), row.status(), summary(row.allCores()),
                    summary(row.oneCore()), rss);
        }
    }
}
