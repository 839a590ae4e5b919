package dev.callcontrol.local.bench;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import dev.callcontrol.local.SamTemplate;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Lambda's java21 runtime starts for a function, as the benchmark starts it: the JVM command
 * line (the runtime's heap, collector and class-data-sharing flags, the function's memory as the
 * machine's RAM, the Runtime Interface Client as the main class) and the environment Lambda defines
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime,
 * https://docs.aws.amazon.com/lambda/latest/dg/java-customization.html).
 */
final class LambdaJvm {
    private LambdaJvm() {
    }

    /** What Lambda sets for the function, then its own environment over it. */
    static Map<String, String> functionEnvironment(SamTemplate.Function function, Map<String, String> environment, String api) {
        Map<String, String> env = lambdaEnvironment(function.logicalId(), function.handler(), function.memoryMb(), api);
        env.putAll(environment);
        return env;
    }

    /** The runtime's command line for the function: its JVM, the Runtime Interface Client and the handler. */
    static List<String> runtimeCommand(SamTemplate.Function function, List<String> runtimeClasspath) {
        List<String> command = lambdaJava(function.memoryMb(), runtimeClasspath);
        command.add(AWSLambda.class.getName());
        command.add(function.handler());
        return command;
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The JVM command line of Lambda's java21 runtime for a function of this memory size. */
    static List<String> lambdaJava(int memoryMb, List<String> classpath) {
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

    static Map<String, String> lambdaEnvironment(String name, String handler, int memoryMb, String api) {
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
}
