package dev.callcontrol.testing;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.store.TableSchema;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The DynamoDB engines tests run against. DynamoDB Local in this JVM is the default and always
 * there; LocalStack through Testcontainers runs where a Docker engine exists and is reported as
 * skipped elsewhere; {@code DYNAMODB_ENDPOINT} points the tests at any other endpoint.
 * Use with {@code @ParameterizedTest @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")}.
 */
public final class DynamoDbEngines {
    /** One engine: where it answers, and a client for it. */
    public record Engine(String name, URI endpoint, DynamoDbClient client) {
        /** Creates a fresh copy of template.yaml's calls table under a unique name and returns the name. */
        public String createCallsTable() {
            String name = "calls-" + UUID.randomUUID();
            TableSchema.create(client, name, callsTableProperties());
            return name;
        }
    }

    /** How to obtain an engine; resolved lazily so that a skipped engine never starts. */
    public interface Source {
        Engine get();
    }

    private static Engine embedded;
    private static Engine localStack;
    private static Boolean dockerAvailable;

    private DynamoDbEngines() {
    }

    public static List<Named<Source>> engines() {
        String endpoint = System.getenv("DYNAMODB_ENDPOINT");
        if (endpoint != null && !endpoint.isBlank()) {
            return List.of(Named.of("DYNAMODB_ENDPOINT " + endpoint, DynamoDbEngines::configured));
        }
        return List.of(
                Named.of("DynamoDB Local (in this JVM)", DynamoDbEngines::embedded),
                Named.of("LocalStack (Testcontainers)", DynamoDbEngines::localStack));
    }

    /** The default engine, for tests that need one DynamoDB and not the whole matrix. */
    public static synchronized Engine embedded() {
        if (embedded == null) {
            int port = freePort();
            try {
                // createServer, not createServerFromCommandLineArgs: the same server without the banner the latter prints.
                com.amazonaws.services.dynamodbv2.local.main.CommandLineInput input = new com.amazonaws.services.dynamodbv2.local.main.CommandLineInput(
                        new String[] {"-inMemory", "-port", Integer.toString(port), "-disableTelemetry"});
                if (!input.init()) {
                    throw new IllegalStateException("DynamoDB Local refused its options");
                }
                DynamoDBProxyServer server = ServerRunner.createServer(input);
                server.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.stop();
                    } catch (Exception ignored) {
                        // the JVM is going away
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("DynamoDB Local did not start", e);
            }
            URI uri = URI.create("http://127.0.0.1:" + port);
            embedded = new Engine("dynamodb-local", uri, DynamoDbClients.create(uri, "us-east-1", false));
        }
        return embedded;
    }

    private static synchronized Engine localStack() {
        if (localStack == null) {
            if (dockerAvailable == null) {
                try {
                    dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
                } catch (RuntimeException e) {
                    dockerAvailable = false;
                }
                if (!dockerAvailable) {
                    System.out.println("[DynamoDB engines] LocalStack tests skipped: no Docker engine on this machine; DynamoDB Local ran them");
                }
            }
            Assumptions.assumeTrue(dockerAvailable, "LocalStack tests skipped: no Docker engine on this machine (DynamoDB Local ran instead)");
            LocalStackContainer container = new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8"))
                    .withServices(LocalStackContainer.Service.DYNAMODB);
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            URI uri = container.getEndpoint();
            localStack = new Engine("localstack", uri, DynamoDbClients.create(uri, container.getRegion(), false));
        }
        return localStack;
    }

    private static Engine configured() {
        URI uri = URI.create(System.getenv("DYNAMODB_ENDPOINT"));
        return new Engine("endpoint", uri, DynamoDbClients.create(uri, System.getenv().getOrDefault("AWS_REGION", "us-east-1"),
                System.getenv("AWS_ACCESS_KEY_ID") != null));
    }

    /** The Properties of template.yaml's CallsTable, as deployed. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> callsTableProperties() {
        try {
            JsonNode template = new ObjectMapper(new YAMLFactory()).readTree(Project.template().toFile());
            return new ObjectMapper().convertValue(template.path("Resources").path("CallsTable").path("Properties"), Map.class);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read template.yaml", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
