package dev.callcontrol.local.bench;

import dev.callcontrol.http.Json;
import dev.callcontrol.local.SamTemplate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.callcontrol.local.bench.LambdaJvm.lambdaJava;
import static dev.callcontrol.local.bench.LambdaJvm.runtimeCommand;
import static dev.callcontrol.local.bench.Report.summary;

/**
 * The benchmark's two other modes, each a one-core comparison per function: {@code --snapstart},
 * what Lambda SnapStart leaves of a cold start (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html),
 * emulated by {@link PrimedStart} as the first invocation after initialisation, unprimed and primed;
 * and {@code --cds}, an application class-data-sharing archive
 * (https://docs.oracle.com/en/java/javase/21/vm/class-data-sharing.html) written by a training run,
 * then runs without and with it. {@link ColdStart} hands it the runtime's class path, the task
 * folder, whether {@code taskset} pins to one core, and the Runtime API.
 */
record Comparisons(Path root, List<String> runtimeClasspath, Path task, boolean taskset, RuntimeApi api) {
    /**
     * An application class-data-sharing archive's effect on one function: a training run dumps the
     * classes its cold start loaded, then one-core runs without and with the archive, interleaved.
     */
    String archived(SamTemplate.Function function, Path event, Map<String, String> env, int runs) throws Exception {
        byte[] body = Files.readAllBytes(event);
        String options = env.getOrDefault("JAVA_TOOL_OPTIONS", "");
        List<String> command = new ArrayList<>();
        if (taskset) {
            command.addAll(List.of("taskset", "-c", "0"));
        }
        command.addAll(runtimeCommand(function, runtimeClasspath));

        Path archive = task.resolve("cds").resolve(function.logicalId() + ".jsa");
        Files.createDirectories(archive.getParent());
        Files.deleteIfExists(archive);
        Map<String, String> training = new LinkedHashMap<>(env);
        training.put("JAVA_TOOL_OPTIONS", (options + " -XX:ArchiveClassesAtExit=" + archive).strip());
        api.once(command, training, body, task, true);
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException(function.logicalId() + ": the training run wrote no archive: see local/target/coldstart-last.log");
        }
        Map<String, String> withArchive = new LinkedHashMap<>(env);
        withArchive.put("JAVA_TOOL_OPTIONS", (options + " -XX:SharedArchiveFile=" + archive).strip());
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        String status = "?";
        for (int run = 0; run < runs; run++) {
            without.add(api.once(command, env, body, task, false).millis());
            RuntimeApi.Result result = api.once(command, withArchive, body, task, false);
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
    String primed(SamTemplate.Function function, Path event, Map<String, String> env, int runs) throws Exception {
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
}
