package dev.callcontrol.local.bench;

import dev.callcontrol.local.FakeSecretsManager;
import dev.callcontrol.twilio.TwilioSecretStore;
import dev.callcontrol.twilio.TwilioSecrets;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What reading the Twilio secret at start adds to a cold start (a benchmark, not a test). Each run
 * is a fresh JVM with the functions' JVM flags (C1 only, as {@code JAVA_TOOL_OPTIONS} in
 * template.yaml), which times, in-process: building the Secrets Manager client (the SDK's classes,
 * the url-connection client, endpoint and signer set-up), the first {@code GetSecretValue}, and a
 * second one (what a re-read costs a warm container). The endpoint is {@link FakeSecretsManager} on
 * loopback, so the figures are the client's own cost; a deployed function adds the round trip to
 * Secrets Manager in its region (TLS included) to the first read.
 *
 * <p>Usage: {@code java -cp <local's class path> dev.callcontrol.local.bench.SecretReadCost [runs]}
 * (default 7). Prints each run and the medians, on every core and pinned to one ({@code taskset -c 0}).
 */
public final class SecretReadCost {
    private SecretReadCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(URI.create(args[1]));
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        try (FakeSecretsManager aws = FakeSecretsManager.start()) {
            aws.put("call-control/twilio", "{\"TWILIO_AUTH_TOKEN\":\"0123456789abcdef0123456789abcdef\",\"TWILIO_API_KEY_SECRET\":\"key-secret\"}");
            boolean taskset = new java.io.File("/usr/bin/taskset").canExecute();
            for (boolean pinned : taskset ? List.of(false, true) : List.of(false)) {
                List<double[]> results = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    List<String> command = new ArrayList<>();
                    if (pinned) {
                        command.addAll(List.of("taskset", "-c", "0"));
                    }
                    command.addAll(List.of(Path.java(), "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                            "-cp", System.getProperty("java.class.path"), SecretReadCost.class.getName(), "--child", aws.endpoint().toString()));
                    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                    if (process.waitFor() != 0) {
                        throw new IllegalStateException("run failed: " + out);
                    }
                    String last = out.lines().reduce((a, b) -> b).orElse("");
                    double[] figures = Arrays.stream(last.split(" ")).mapToDouble(Double::parseDouble).toArray();
                    results.add(figures);
                    System.out.printf(Locale.ROOT, "%s run %d: client %.1f ms, first read %.1f ms, second read %.1f ms%n",
                            pinned ? "one core " : "all cores", run + 1, figures[0], figures[1], figures[2]);
                }
                System.out.printf(Locale.ROOT, "%s median of %d: client %.1f ms, first read %.1f ms (client and first read %.1f ms), second read %.1f ms%n",
                        pinned ? "one core " : "all cores", runs, median(results, 0), median(results, 1), median(results, 3), median(results, 2));
            }
        }
    }

    private static double median(List<double[]> results, int index) {
        double[] values = results.stream().mapToDouble(r -> index == 3 ? r[0] + r[1] : r[index]).sorted().toArray();
        return values[values.length / 2];
    }

    private static void child(URI endpoint) {
        long start = System.nanoTime();
        TwilioSecretStore.Loader loader = new TwilioSecretStore.SecretsManagerLoader("call-control/twilio", endpoint, "us-east-1", false);
        long built = System.nanoTime();
        TwilioSecrets first = loader.load();
        long read = System.nanoTime();
        TwilioSecrets second = loader.load();
        long again = System.nanoTime();
        if (!first.equals(second)) {
            throw new IllegalStateException("the secret changed");
        }
        System.out.printf(Locale.ROOT, "%.2f %.2f %.2f%n", (built - start) / 1e6, (read - built) / 1e6, (again - read) / 1e6);
    }

    private static final class Path {
        static String java() {
            return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }
}
