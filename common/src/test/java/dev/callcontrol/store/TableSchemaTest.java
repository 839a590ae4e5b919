package dev.callcontrol.store;

import dev.callcontrol.testing.DynamoDbEngines;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** template.yaml's table, created on every available engine, behaves as the product relies on. */
class TableSchemaTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void callsTableHasTheTemplatesKeysAndTtl(DynamoDbEngines.Source source) {
        var engine = source.get();
        String table = engine.createCallsTable();
        var description = engine.client().describeTable(b -> b.tableName(table)).table();
        assertEquals("pk", description.keySchema().stream().filter(k -> k.keyType() == KeyType.HASH).findFirst().orElseThrow().attributeName());
        assertEquals("sk", description.keySchema().stream().filter(k -> k.keyType() == KeyType.RANGE).findFirst().orElseThrow().attributeName());
        var ttl = engine.client().describeTimeToLive(b -> b.tableName(table)).timeToLiveDescription();
        assertEquals("expiresAt", ttl.attributeName());
        assertEquals(TimeToLiveStatus.ENABLED, ttl.timeToLiveStatus());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.callcontrol.testing.DynamoDbEngines#engines")
    void conditionalWritesLetOnlyOneWriterCreateAnItem(DynamoDbEngines.Source source) {
        var engine = source.get();
        String table = engine.createCallsTable();
        Map<String, AttributeValue> item = Map.of(
                "pk", AttributeValue.fromS("CALL#WT1"), "sk", AttributeValue.fromS("CALL"),
                "version", AttributeValue.fromN("1"), "expiresAt", AttributeValue.fromN("1900000000"));
        engine.client().putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
        assertThrows(ConditionalCheckFailedException.class,
                () -> engine.client().putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")));
        var stored = engine.client().getItem(b -> b.tableName(table).key(Map.of("pk", item.get("pk"), "sk", item.get("sk"))).consistentRead(true)).item();
        assertEquals("1", stored.get("version").n());
    }

    @org.junit.jupiter.api.Test
    void createIsIdempotent() {
        var engine = DynamoDbEngines.embedded();
        String table = engine.createCallsTable();
        assertEquals(false, TableSchema.create(engine.client(), table, DynamoDbEngines.callsTableProperties()));
    }
}
