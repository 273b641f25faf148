package io.sluice.storage.log;

import io.sluice.common.config.ConfigDef;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.sluice.common.config.ConfigDef.Type.BOOLEAN;
import static io.sluice.common.config.ConfigDef.Type.INT;
import static io.sluice.common.config.ConfigDef.Type.LIST;
import static io.sluice.common.config.ConfigDef.Type.LONG;
import static io.sluice.common.config.ConfigDef.atLeast;

/** Settings of the {@link LogManager} itself, with Kafka's broker-level key names. */
public final class LogManagerConfig
{
    public static final String LOG_DIRS = "log.dirs";
    public static final String RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS =
        "log.flush.start.offset.checkpoint.interval.ms";
    public static final String CLEANER_ENABLE = "log.cleaner.enable";
    public static final String CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String RECOVERY_THREADS_PER_DATA_DIR = "num.recovery.threads.per.data.dir";

    public static final ConfigDef DEFINITION = new ConfigDef()
        .define(LOG_DIRS, LIST, "data", "Data directories; each partition lives in one of them.")
        .define(RETENTION_CHECK_INTERVAL_MS, LONG, 300_000L, atLeast(1), "How often retention runs.")
        .define(FLUSH_SCHEDULER_INTERVAL_MS, LONG, 1_000L, atLeast(1),
            "How often logs are checked against flush.ms (Kafka's default never checks; ours makes flush.ms work).")
        .define(FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, LONG, 60_000L, atLeast(1),
            "How often the recovery points are checkpointed.")
        .define(FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS, LONG, 60_000L, atLeast(1),
            "How often the log start offsets are checkpointed.")
        .define(CLEANER_ENABLE, BOOLEAN, true, "Run the log cleaner for compacted topics.")
        .define(CLEANER_BACKOFF_MS, LONG, 15_000L, atLeast(0), "Pause of the cleaner when nothing needs cleaning.")
        .define(RECOVERY_THREADS_PER_DATA_DIR, INT, 2, atLeast(1),
            "Threads per data directory that open (and, after a crash, recover) logs at start-up.");

    public final List<Path> logDirs;
    public final long retentionCheckIntervalMs;
    public final long flushSchedulerIntervalMs;
    public final long flushOffsetCheckpointIntervalMs;
    public final long flushStartOffsetCheckpointIntervalMs;
    public final boolean cleanerEnable;
    public final long cleanerBackoffMs;
    public final int recoveryThreadsPerDataDir;

    public LogManagerConfig(final Map<String, ?> props)
    {
        final Map<String, Object> values = DEFINITION.parse(props, false);
        @SuppressWarnings("unchecked")
        final List<String> dirs = (List<String>)values.get(LOG_DIRS);
        if (dirs.isEmpty())
        {
            throw new io.sluice.common.errors.ConfigException("Configuration " + LOG_DIRS
                + " must name at least one directory");
        }
        final List<Path> paths = new ArrayList<>();
        for (final String dir : dirs)
        {
            paths.add(Paths.get(dir).toAbsolutePath().normalize());
        }
        this.logDirs = Collections.unmodifiableList(paths);
        this.retentionCheckIntervalMs = (Long)values.get(RETENTION_CHECK_INTERVAL_MS);
        this.flushSchedulerIntervalMs = (Long)values.get(FLUSH_SCHEDULER_INTERVAL_MS);
        this.flushOffsetCheckpointIntervalMs = (Long)values.get(FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS);
        this.flushStartOffsetCheckpointIntervalMs = (Long)values.get(FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS);
        this.cleanerEnable = (Boolean)values.get(CLEANER_ENABLE);
        this.cleanerBackoffMs = (Long)values.get(CLEANER_BACKOFF_MS);
        this.recoveryThreadsPerDataDir = (Integer)values.get(RECOVERY_THREADS_PER_DATA_DIR);
    }

    /** A config with one data directory and defaults elsewhere. */
    public static LogManagerConfig forDirs(final Path... dirs)
    {
        final StringBuilder sb = new StringBuilder();
        for (final Path dir : dirs)
        {
            if (sb.length() > 0)
            {
                sb.append(',');
            }
            sb.append(dir);
        }
        return new LogManagerConfig(Map.of(LOG_DIRS, sb.toString()));
    }
}
