package dev.callcontrol.store;

import dev.callcontrol.config.Config;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.OutOfTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.URI;
import java.time.Duration;

/**
 * Builds the DynamoDB client once per container: the url-connection HTTP client (no Apache or
 * Netty on the class path), region and credentials from Lambda's environment, and the
 * {@code DYNAMODB_ENDPOINT} override for DynamoDB Local and LocalStack.
 *
 * <p>Every request is bounded: by {@link #CALL_TIMEOUT} for all its attempts and
 * {@link #ATTEMPT_TIMEOUT} for each, and by what the invocation can spare when that is less
 * ({@link Deadline#requestMillis}: never the reserve kept for undoing and answering). A request the
 * invocation has no time for is not sent, and {@link CallStore} turns a request cut short into
 * {@link OutOfTime}. The SDK's own retries (of 500s, 503s, throttling, timed-out attempts) are at
 * most {@link #MAX_ATTEMPTS} attempts with a short full-jitter backoff, all inside the same bound.
 */
public final class DynamoDbClients {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbClients.class);
    /** The most one request may take, all its attempts and backoffs included. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    /** The most one attempt may take: DynamoDB answers single-item requests in milliseconds. */
    public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    /** Attempts of one request, the first included. */
    public static final int MAX_ATTEMPTS = 3;
    /** Time to open a connection: time for one lost SYN to be sent again (after 1 s), within {@link #ATTEMPT_TIMEOUT}. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private DynamoDbClients() {
    }

    public static DynamoDbClient create(Config config) {
        return create(config.dynamoDbEndpoint(), config.raw("AWS_REGION"),
                config.raw("AWS_ACCESS_KEY_ID") != null);
    }

    /** @param endpoint {@code null} for the regional endpoint */
    public static DynamoDbClient create(URI endpoint, String region, boolean environmentHasCredentials) {
        var builder = DynamoDbClient.builder()
                // No socket timeout of its own (the client's default, 30 s, is a safety net): every attempt
                // ends by its attempt timeout, and table set-up (TableSchema) may wait longer than requests.
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .build())
                .overrideConfiguration(o -> o
                        .apiCallTimeout(CALL_TIMEOUT)
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                        .retryStrategy(retryStrategy())
                        .addExecutionInterceptor(new WithinDeadline()))
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

    /**
     * The SDK's standard strategy (what it retries: 5xx, throttling, I/O failures, timed-out
     * attempts) with a fixed number of attempts and short waits: 25 ms doubling to 250 ms, or 100 ms
     * doubling to 1 s after throttling, both with full jitter. No retry quota: one Lambda container
     * sends one request at a time, and the call's time bound already stops a run of failures.
     */
    static RetryStrategy retryStrategy() {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(MAX_ATTEMPTS)
                .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(25), Duration.ofMillis(250)))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(1)))
                .circuitBreakerEnabled(false)
                .build();
    }

    /**
     * Gives each request the time the invocation can spare, up to its ceiling ({@link #CALL_TIMEOUT},
     * or the request's own {@code apiCallTimeout}: table set-up's), as its {@code apiCallTimeout}. The attempt timeout stays {@link #ATTEMPT_TIMEOUT}: with less time than
     * that, a silent attempt is ended by the call's timeout, which the SDK never retries, rather than
     * by its own, which it would retry in the instant left (a retried write could land after the
     * caller was told it timed out). Runs on the calling thread, where the invocation's
     * {@link Deadline} is.
     */
    static final class WithinDeadline implements ExecutionInterceptor {
        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            if (!(context.request() instanceof AwsRequest request)) {
                return context.request();
            }
            long ceiling = request.overrideConfiguration().flatMap(AwsRequestOverrideConfiguration::apiCallTimeout)
                    .orElse(CALL_TIMEOUT).toMillis();
            long budget = Deadline.requestMillis(ceiling);
            if (budget < Deadline.MIN_REQUEST_MILLIS) {
                LOG.warn("No time left for DynamoDB {}: {} ms to spare", attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), budget);
                throw OutOfTime.beforeSending("reading or writing the call record");
            }
            AwsRequestOverrideConfiguration.Builder override = request.overrideConfiguration()
                    .map(AwsRequestOverrideConfiguration::toBuilder)
                    .orElseGet(AwsRequestOverrideConfiguration::builder);
            return request.toBuilder().overrideConfiguration(override.apiCallTimeout(Duration.ofMillis(budget)).build()).build();
        }
    }
}
