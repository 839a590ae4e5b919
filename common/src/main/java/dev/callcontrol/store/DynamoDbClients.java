package dev.callcontrol.store;

import dev.callcontrol.config.Config;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.URI;
import java.time.Duration;

/**
 * Builds the DynamoDB client once per container: the url-connection HTTP client (no Apache or
 * Netty on the class path), region and credentials from Lambda's environment, and the
 * {@code DYNAMODB_ENDPOINT} override for DynamoDB Local and LocalStack.
 */
public final class DynamoDbClients {
    private DynamoDbClients() {
    }

    public static DynamoDbClient create(Config config) {
        return create(config.dynamoDbEndpoint(), config.raw("AWS_REGION"),
                config.raw("AWS_ACCESS_KEY_ID") != null);
    }

    /** @param endpoint {@code null} for the regional endpoint */
    public static DynamoDbClient create(URI endpoint, String region, boolean environmentHasCredentials) {
        var builder = DynamoDbClient.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(5))
                        .build())
                .region(Region.of(region == null || region.isBlank() ? "us-east-1" : region));
        AwsCredentialsProvider credentials = environmentHasCredentials
                ? EnvironmentVariableCredentialsProvider.create()
                : null;
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
            if (credentials == null) {
                // Local engines accept any credentials but the SDK insists on some.
                credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
            }
        }
        if (credentials != null) {
            builder.credentialsProvider(credentials);
        }
        return builder.build();
    }
}
