package io.sluice.storage.log;

import io.sluice.common.config.ConfigDef;
import io.sluice.common.errors.ConfigException;
import io.sluice.common.record.RecordBatch;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.sluice.common.config.ConfigDef.Type.DOUBLE;
import static io.sluice.common.config.ConfigDef.Type.INT;
import static io.sluice.common.config.ConfigDef.Type.LIST;
import static io.sluice.common.config.ConfigDef.Type.LONG;
import static io.sluice.common.config.ConfigDef.atLeast;
import static io.sluice.common.config.ConfigDef.between;
import static io.sluice.common.config.ConfigDef.oneOf;

/**
 * Per-partition log settings, with Kafka's topic-level key names and defaults. Immutable; a topic config change
 * swaps in a new instance.
 */
public final class LogConfig
{
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";

    public static final String CLEANUP_POLICY_DELETE = "delete";
    public static final String CLEANUP_POLICY_COMPACT = "compact";

    public static final ConfigDef DEFINITION = new ConfigDef()
        .define(SEGMENT_BYTES, INT, 1024 * 1024 * 1024, atLeast(RecordBatch.HEADER_SIZE),
            "Size of a segment file; a new segment is rolled when the next batch would not fit.")
        .define(SEGMENT_MS, LONG, 7L * 24 * 60 * 60 * 1000, atLeast(1),
            "Roll a new segment after this long even if the active one is not full.")
        .define(SEGMENT_INDEX_BYTES, INT, 10 * 1024 * 1024, atLeast(12),
            "Preallocated size of each offset and time index file.")
        .define(INDEX_INTERVAL_BYTES, INT, 4096, atLeast(0), "Bytes of log between offset index entries.")
        .define(FLUSH_MESSAGES, LONG, Long.MAX_VALUE, atLeast(1),
            "Force an fsync after this many records; by default durability comes from replication.")
        .define(FLUSH_MS, LONG, Long.MAX_VALUE, atLeast(0), "Force an fsync when data has waited this long.")
        .define(RETENTION_MS, LONG, 7L * 24 * 60 * 60 * 1000, atLeast(-1),
            "Delete segments whose newest record is older than this; -1 keeps them forever.")
        .define(RETENTION_BYTES, LONG, -1L, atLeast(-1),
            "Delete the oldest segments while the partition is larger than this; -1 means no limit.")
        .define(CLEANUP_POLICY, LIST, CLEANUP_POLICY_DELETE, oneOf(CLEANUP_POLICY_DELETE, CLEANUP_POLICY_COMPACT),
            "delete: retention removes old segments; compact: keep the newest record per key.")
        .define(DELETE_RETENTION_MS, LONG, 24L * 60 * 60 * 1000, atLeast(0),
            "How long a tombstone stays readable in a compacted topic before the cleaner drops it.")
        .define(MIN_COMPACTION_LAG_MS, LONG, 0L, atLeast(0),
            "Records younger than this are never compacted.")
        .define(MIN_CLEANABLE_DIRTY_RATIO, DOUBLE, 0.5d, (name, value) ->
            {
                final double v = (Double)value;
                if (v < 0 || v > 1)
                {
                    throw new ConfigException("Invalid value " + v + " for configuration " + name
                        + ": must be between 0 and 1");
                }
            },
            "Share of the log that must be uncleaned before the cleaner compacts it.")
        .define(MAX_MESSAGE_BYTES, INT, 1024 * 1024 + 12, atLeast(0),
            "Largest record batch the log accepts.")
        .define(FILE_DELETE_DELAY_MS, LONG, 60_000L, atLeast(0),
            "How long deleted segment files linger, renamed, so that in-flight reads can finish.");

    private static final LogConfig DEFAULTS = new LogConfig(Collections.emptyMap());

    public final int segmentBytes;
    public final long segmentMs;
    public final int segmentIndexBytes;
    public final int indexIntervalBytes;
    public final long flushMessages;
    public final long flushMs;
    public final long retentionMs;
    public final long retentionBytes;
    public final boolean compact;
    public final boolean delete;
    public final long deleteRetentionMs;
    public final long minCompactionLagMs;
    public final double minCleanableDirtyRatio;
    public final int maxMessageBytes;
    public final long fileDeleteDelayMs;
    private final Map<String, Object> values;

    /** Parses and validates {@code props}; unknown keys and bad values throw {@link ConfigException}. */
    public LogConfig(final Map<String, ?> props)
    {
        this.values = Collections.unmodifiableMap(DEFINITION.parse(props, false));
        this.segmentBytes = (Integer)values.get(SEGMENT_BYTES);
        this.segmentMs = (Long)values.get(SEGMENT_MS);
        this.segmentIndexBytes = (Integer)values.get(SEGMENT_INDEX_BYTES);
        this.indexIntervalBytes = (Integer)values.get(INDEX_INTERVAL_BYTES);
        this.flushMessages = (Long)values.get(FLUSH_MESSAGES);
        this.flushMs = (Long)values.get(FLUSH_MS);
        this.retentionMs = (Long)values.get(RETENTION_MS);
        this.retentionBytes = (Long)values.get(RETENTION_BYTES);
        @SuppressWarnings("unchecked")
        final List<String> policy = (List<String>)values.get(CLEANUP_POLICY);
        if (policy.isEmpty())
        {
            throw new ConfigException("Invalid value '' for configuration " + CLEANUP_POLICY
                + ": must name delete, compact or both");
        }
        this.compact = policy.contains(CLEANUP_POLICY_COMPACT);
        this.delete = policy.contains(CLEANUP_POLICY_DELETE);
        this.deleteRetentionMs = (Long)values.get(DELETE_RETENTION_MS);
        this.minCompactionLagMs = (Long)values.get(MIN_COMPACTION_LAG_MS);
        this.minCleanableDirtyRatio = (Double)values.get(MIN_CLEANABLE_DIRTY_RATIO);
        this.maxMessageBytes = (Integer)values.get(MAX_MESSAGE_BYTES);
        this.fileDeleteDelayMs = (Long)values.get(FILE_DELETE_DELAY_MS);
    }

    public static LogConfig defaults()
    {
        return DEFAULTS;
    }

    /** The parsed values by key name. */
    public Map<String, Object> values()
    {
        return values;
    }

    /** A copy with some keys changed. */
    public LogConfig with(final Map<String, ?> overrides)
    {
        final Map<String, Object> merged = new java.util.HashMap<>(values);
        merged.putAll(overrides);
        return new LogConfig(merged);
    }

    @Override
    public String toString()
    {
        return "LogConfig" + values;
    }
}
