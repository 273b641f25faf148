package io.sluice.client.consumer;

import io.sluice.client.internals.ClientConfigs;
import io.sluice.client.internals.CommonClientConfig;
import io.sluice.common.config.ConfigDef;

import java.util.Map;

import static io.sluice.common.config.ConfigDef.Type.BOOLEAN;
import static io.sluice.common.config.ConfigDef.Type.INT;
import static io.sluice.common.config.ConfigDef.Type.STRING;
import static io.sluice.common.config.ConfigDef.atLeast;
import static io.sluice.common.config.ConfigDef.oneOf;

/** The consumer's settings, with Kafka's names and defaults. */
public final class ConsumerConfig
{
    public static final String GROUP_ID = "group.id";
    public static final String ENABLE_AUTO_COMMIT = "enable.auto.commit";
    public static final String AUTO_COMMIT_INTERVAL_MS = "auto.commit.interval.ms";
    public static final String MAX_POLL_INTERVAL_MS = "max.poll.interval.ms";
    public static final String FETCH_MIN_BYTES = "fetch.min.bytes";
    public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
    public static final String FETCH_MAX_WAIT_MS = "fetch.max.wait.ms";
    public static final String MAX_PARTITION_FETCH_BYTES = "max.partition.fetch.bytes";
    public static final String MAX_POLL_RECORDS = "max.poll.records";
    public static final String AUTO_OFFSET_RESET = "auto.offset.reset";
    public static final String CHECK_CRCS = "check.crcs";
    public static final String ISOLATION_LEVEL = "isolation.level";
    public static final String KEY_DESERIALIZER = "key.deserializer";
    public static final String VALUE_DESERIALIZER = "value.deserializer";

    static final ConfigDef DEFINITION = ClientConfigs.common()
        .define(GROUP_ID, STRING, null, "The consumer group, needed to subscribe and to commit offsets.")
        .define(FETCH_MIN_BYTES, INT, 1, atLeast(0), "Bytes a fetch waits for before the broker answers.")
        .define(FETCH_MAX_BYTES, INT, 52_428_800, atLeast(0), "Most bytes one fetch response carries.")
        .define(FETCH_MAX_WAIT_MS, INT, 500, atLeast(0), "Longest the broker holds a fetch waiting for data.")
        .define(MAX_PARTITION_FETCH_BYTES, INT, 1_048_576, atLeast(0), "Most bytes per partition per fetch.")
        .define(MAX_POLL_RECORDS, INT, 500, atLeast(1), "Most records one poll returns.")
        .define(AUTO_OFFSET_RESET, STRING, "latest", oneOf("earliest", "latest", "none"),
            "Where to start without a position, or when the position is out of range.")
        .define(CHECK_CRCS, BOOLEAN, true, "Verify each batch's CRC.")
        .define(ISOLATION_LEVEL, STRING, "read_uncommitted", oneOf("read_uncommitted", "read_committed"),
            "Transactions are not supported yet; both read everything below the high watermark.")
        .define(KEY_DESERIALIZER, STRING, null, "Class of the key deserializer, unless one is passed in.")
        .define(VALUE_DESERIALIZER, STRING, null, "Class of the value deserializer, unless one is passed in.")
        .define(ENABLE_AUTO_COMMIT, BOOLEAN, true, "With a group.id, commit positions every "
            + "auto.commit.interval.ms from poll, before partitions are revoked, and on close.")
        .define(AUTO_COMMIT_INTERVAL_MS, INT, 5000, atLeast(0), "How often poll commits positions.")
        .define(MAX_POLL_INTERVAL_MS, INT, 300_000, atLeast(1), "A group member that does not poll for this "
            + "long leaves the group, so its partitions go to members that make progress; the next poll rejoins.");

    final CommonClientConfig common;
    final int fetchMinBytes;
    final int fetchMaxBytes;
    final int fetchMaxWaitMs;
    final int maxPartitionFetchBytes;
    final int maxPollRecords;
    final String autoOffsetReset;
    final String keyDeserializer;
    final String valueDeserializer;
    final String groupId;
    final boolean enableAutoCommit;
    final int autoCommitIntervalMs;
    final int maxPollIntervalMs;

    ConsumerConfig(final Map<String, ?> props)
    {
        final Map<String, Object> v = DEFINITION.parse(props, false);
        common = CommonClientConfig.from(v, "sluice-consumer");
        fetchMinBytes = (Integer)v.get(FETCH_MIN_BYTES);
        fetchMaxBytes = (Integer)v.get(FETCH_MAX_BYTES);
        fetchMaxWaitMs = (Integer)v.get(FETCH_MAX_WAIT_MS);
        maxPartitionFetchBytes = (Integer)v.get(MAX_PARTITION_FETCH_BYTES);
        maxPollRecords = (Integer)v.get(MAX_POLL_RECORDS);
        autoOffsetReset = (String)v.get(AUTO_OFFSET_RESET);
        keyDeserializer = (String)v.get(KEY_DESERIALIZER);
        valueDeserializer = (String)v.get(VALUE_DESERIALIZER);
        groupId = (String)v.get(GROUP_ID);
        enableAutoCommit = (Boolean)v.get(ENABLE_AUTO_COMMIT);
        autoCommitIntervalMs = (Integer)v.get(AUTO_COMMIT_INTERVAL_MS);
        maxPollIntervalMs = (Integer)v.get(MAX_POLL_INTERVAL_MS);
    }
}
