package dev.callcontrol.store;

import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Creates a table from its CloudFormation {@code AWS::DynamoDB::Table} properties, so that DynamoDB
 * Local, LocalStack and tests use exactly the key schema, indexes and TTL that template.yaml deploys.
 */
public final class TableSchema {
    /**
     * How long a set-up request may take: far more than the product's requests are given
     * ({@link DynamoDbClients#CALL_TIMEOUT}), since an engine starting on a busy machine creates a
     * table with an index slowly, and nobody is waiting on a call.
     */
    static final Duration SET_UP_TIMEOUT = Duration.ofSeconds(30);

    private TableSchema() {
    }

    /** Creates the table (and its TTL setting) unless it exists; returns whether it was created. */
    public static boolean create(DynamoDbClient dynamo, String tableName, Map<String, Object> properties) {
        try {
            dynamo.createTable(createRequest(tableName, properties).toBuilder().overrideConfiguration(TableSchema::setUp).build());
        } catch (ResourceInUseException exists) {
            return false;
        }
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(tableName).overrideConfiguration(TableSchema::setUp));
        if (properties.get("TimeToLiveSpecification") instanceof Map<?, ?> ttl && Boolean.TRUE.equals(ttl.get("Enabled"))) {
            dynamo.updateTimeToLive(b -> b.tableName(tableName).overrideConfiguration(TableSchema::setUp)
                    .timeToLiveSpecification(t -> t.attributeName(String.valueOf(ttl.get("AttributeName"))).enabled(true)));
        }
        return true;
    }

    private static void setUp(AwsRequestOverrideConfiguration.Builder override) {
        override.apiCallTimeout(SET_UP_TIMEOUT).apiCallAttemptTimeout(SET_UP_TIMEOUT);
    }

    public static CreateTableRequest createRequest(String tableName, Map<String, Object> properties) {
        var builder = CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(list(properties, "AttributeDefinitions").stream()
                        .map(a -> AttributeDefinition.builder()
                                .attributeName(text(a, "AttributeName"))
                                .attributeType(text(a, "AttributeType"))
                                .build())
                        .toList())
                .keySchema(keySchema(list(properties, "KeySchema")));
        List<Map<String, Object>> indexes = list(properties, "GlobalSecondaryIndexes");
        if (!indexes.isEmpty()) {
            builder.globalSecondaryIndexes(indexes.stream()
                    .map(index -> GlobalSecondaryIndex.builder()
                            .indexName(text(index, "IndexName"))
                            .keySchema(keySchema(list(index, "KeySchema")))
                            .projection(projection(index))
                            .build())
                    .toList());
        }
        return builder.build();
    }

    private static List<KeySchemaElement> keySchema(List<Map<String, Object>> keys) {
        return keys.stream()
                .map(k -> KeySchemaElement.builder().attributeName(text(k, "AttributeName")).keyType(text(k, "KeyType")).build())
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static Projection projection(Map<String, Object> index) {
        Map<String, Object> projection = (Map<String, Object>) index.getOrDefault("Projection", Map.of("ProjectionType", "ALL"));
        var builder = Projection.builder().projectionType(text(projection, "ProjectionType"));
        if (projection.get("NonKeyAttributes") instanceof List<?> attributes) {
            builder.nonKeyAttributes(attributes.stream().map(String::valueOf).toList());
        }
        return builder.build();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }

    private static String text(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException("table definition lacks " + key);
        }
        return String.valueOf(value);
    }
}
