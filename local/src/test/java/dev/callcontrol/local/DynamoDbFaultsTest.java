package dev.callcontrol.local;

import dev.callcontrol.http.Json;
import dev.callcontrol.store.DynamoDbClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ThrottlingException;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault proxy between the AWS SDK v2 and DynamoDB Local: untouched requests and answers pass
 * through (signed, checksummed), and each fault is seen by the SDK as DynamoDB's own: a 500 and a
 * 503 are retried, a throttle is a throttling error, a delay is a delay, and {@code after} leaves
 * the write done.
 */
class DynamoDbFaultsTest {
    private static final String TABLE = "Faults";
    private static EmbeddedDynamoDb dynamoDb;
    private static DynamoDbFaults proxy;
    /** The SDK as the product builds it (DynamoDbClients), through the proxy. */
    private static DynamoDbClient product;
    /** The same SDK with its retries off, to see one answer. */
    private static DynamoDbClient once;
    /** DynamoDB Local directly, which no fault reaches. */
    private static DynamoDbClient direct;

    @BeforeAll
    static void start() throws Exception {
        dynamoDb = EmbeddedDynamoDb.start(0);
        proxy = DynamoDbFaults.start(dynamoDb.endpoint());
        product = DynamoDbClients.create(proxy.endpoint(), "us-east-1", false);
        once = DynamoDbClient.builder()
                .endpointOverride(proxy.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
        direct = DynamoDbClients.create(dynamoDb.endpoint(), "us-east-1", false);
        product.createTable(b -> b.tableName(TABLE)
                .attributeDefinitions(d -> d.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(software.amazon.awssdk.services.dynamodb.model.KeyType.HASH))
                .billingMode(software.amazon.awssdk.services.dynamodb.model.BillingMode.PAY_PER_REQUEST));
    }

    @AfterAll
    static void stop() {
        product.close();
        once.close();
        direct.close();
        proxy.close();
        dynamoDb.close();
    }

    @AfterEach
    void clearRules() {
        proxy.rules().clear();
    }

    private static void rule(String json) {
        proxy.rules().add(Json.parse(json, "rule"));
    }

    private static Map<String, Object> onlyRule() {
        assertEquals(1, proxy.rules().describe().size());
        return proxy.rules().describe().get(0);
    }

    private static Map<String, AttributeValue> item(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk), "v", AttributeValue.fromS("value of " + pk));
    }

    private static boolean stored(String pk) {
        var found = direct.getItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(pk))).consistentRead(true));
        return found.hasItem() && !found.item().isEmpty();
    }

    @Test
    void requestsAndAnswersPassThroughUntouched() {
        product.putItem(b -> b.tableName(TABLE).item(item("plain")).conditionExpression("attribute_not_exists(pk)"));
        assertEquals("value of plain", product.getItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("plain")))).item().get("v").s(),
                "read back through the proxy (the SDK checks the answer's CRC32)");
        assertTrue(stored("plain"), "and it is in DynamoDB Local");
        var conflict = assertThrows(software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException.class,
                () -> product.putItem(b -> b.tableName(TABLE).item(item("plain")).conditionExpression("attribute_not_exists(pk)")));
        assertEquals(400, conflict.statusCode(), "DynamoDB Local's own errors come back as they are");
    }

    @Test
    void aFiveHundredIsDynamoDbsInternalServerErrorAndTheSdkRetriesIt() {
        rule("{\"operation\":\"PutItem\",\"status\":500}");
        InternalServerErrorException seen = assertThrows(InternalServerErrorException.class, () -> once.putItem(b -> b.tableName(TABLE).item(item("five"))));
        assertEquals(500, seen.statusCode());
        assertEquals("InternalServerError", seen.awsErrorDetails().errorCode());
        assertFalse(stored("five"), "refused before DynamoDB acted");

        rule("{\"operation\":\"PutItem\",\"status\":500}");
        product.putItem(b -> b.tableName(TABLE).item(item("five")));
        assertTrue(stored("five"), "the product's SDK retried the 500 and the write went through");
        Map<String, Object> second = proxy.rules().describe().get(1);
        assertEquals(1L, second.get("failed"));
        assertEquals(2L, second.get("matched"), "the retry is a request of its own");
    }

    @Test
    void aFiveHundredThreeIsServiceUnavailable() {
        rule("{\"operation\":\"GetItem\",\"status\":503}");
        DynamoDbException seen = assertThrows(DynamoDbException.class,
                () -> once.getItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("x")))));
        assertEquals(503, seen.statusCode());
        assertEquals("ServiceUnavailable", seen.awsErrorDetails().errorCode());

        rule("{\"operation\":\"GetItem\",\"status\":503}");
        product.getItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("x"))));
        Map<String, Object> second = proxy.rules().describe().get(1);
        assertEquals(List.of(2L, 1L), List.of(second.get("matched"), second.get("failed")), "the product's SDK retried the 503");
    }

    @Test
    void aThrottleIsSeenAsThrottlingAndRetried() {
        rule("{\"operation\":\"PutItem\",\"throttle\":true}");
        ProvisionedThroughputExceededException seen = assertThrows(ProvisionedThroughputExceededException.class,
                () -> once.putItem(b -> b.tableName(TABLE).item(item("throttled"))));
        assertTrue(seen.isThrottlingException());
        assertEquals(400, seen.statusCode());

        rule("{\"operation\":\"UpdateItem\",\"throttle\":\"ThrottlingException\"}");
        ThrottlingException named = assertThrows(ThrottlingException.class, () -> once.updateItem(b -> b.tableName(TABLE)
                .key(Map.of("pk", AttributeValue.fromS("throttled"))).updateExpression("SET v = :v")
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("w")))));
        assertTrue(named.isThrottlingException());
        proxy.rules().clear();

        rule("{\"operation\":\"PutItem\",\"throttle\":true,\"times\":1}");
        product.putItem(b -> b.tableName(TABLE).item(item("throttled")));
        assertTrue(stored("throttled"), "the product's SDK backed off and retried");
        assertEquals(1L, onlyRule().get("failed"));
        assertEquals(2L, onlyRule().get("matched"));
    }

    @Test
    void aDelayForwardsTheRequestLate() {
        product.putItem(b -> b.tableName(TABLE).item(item("slow")));
        rule("{\"operation\":\"GetItem\",\"delayMillis\":300}");
        long started = System.nanoTime();
        assertEquals("value of slow", product.getItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("slow")))).item().get("v").s());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis >= 300, "took " + tookMillis + " ms");
        assertEquals(1L, onlyRule().get("failed"));

        started = System.nanoTime();
        product.getItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("slow"))));
        assertTrue((System.nanoTime() - started) / 1_000_000 < 300, "the next one is not delayed");
    }

    @Test
    void afterLetsDynamoDbActThenReplacesTheAnswer() {
        rule("{\"operation\":\"PutItem\",\"status\":500,\"after\":true}");
        assertThrows(InternalServerErrorException.class,
                () -> once.putItem(b -> b.tableName(TABLE).item(item("lost")).conditionExpression("attribute_not_exists(pk)")));
        assertTrue(stored("lost"), "the write happened; only its answer was lost");

        rule("{\"operation\":\"PutItem\",\"status\":500,\"after\":true}");
        var retried = assertThrows(software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException.class,
                () -> product.putItem(b -> b.tableName(TABLE).item(item("lost-again")).conditionExpression("attribute_not_exists(pk)")));
        assertInstanceOf(DynamoDbException.class, retried);
        assertTrue(stored("lost-again"), "the SDK's retry of a conditional create finds its own write: what a lost answer looks like");
    }

    @Test
    void aFaultReachesOnlyWhatCrossesTheProxy() {
        rule("{\"status\":500,\"times\":1000}");
        direct.putItem(b -> b.tableName(TABLE).item(item("direct")));
        assertTrue(stored("direct"));
        assertEquals(0L, onlyRule().get("matched"), "DynamoDB Local's own endpoint has no faults");
    }
}
