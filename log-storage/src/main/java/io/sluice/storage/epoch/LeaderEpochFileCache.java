package io.sluice.storage.epoch;

import io.sluice.storage.checkpoint.CheckpointFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The partition's history of leader epochs: for each epoch, the first offset its leader wrote. A replica that
 * becomes a follower asks the leader for the end offset of its own latest epoch and truncates there, which is how
 * diverged logs are repaired without losing acknowledged records. Persisted to {@code leader-epoch-checkpoint} on
 * every change; changes are rare (one per leader election), so the cost is off the append path.
 *
 * <p>Thread-safety: all methods are synchronized.
 */
public final class LeaderEpochFileCache
{
    /** Returned by {@link #endOffsetFor} when the epoch is unknown. */
    public static final long UNDEFINED_OFFSET = -1L;

    private final CheckpointFile checkpoint;
    private final TreeMap<Integer, Long> epochs = new TreeMap<>();

    public LeaderEpochFileCache(final Path file)
    {
        this.checkpoint = new CheckpointFile(file);
        for (final String line : checkpoint.read())
        {
            final String[] parts = line.trim().split(" ");
            try
            {
                epochs.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
            }
            catch (final RuntimeException e)
            {
                throw checkpoint.malformed("line '" + line + "' is not 'epoch startOffset'");
            }
        }
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}. Ignored if the epoch is not newer than the latest,
     * so appends in the same epoch cost one comparison.
     */
    public synchronized void assign(final int epoch, final long startOffset)
    {
        if (epoch < 0)
        {
            return;
        }
        final Map.Entry<Integer, Long> latest = epochs.lastEntry();
        if (latest != null && (latest.getKey() >= epoch || latest.getValue() > startOffset))
        {
            return;
        }
        epochs.put(epoch, startOffset);
        flush();
    }

    /** The latest epoch, or -1 when none is known. */
    public synchronized int latestEpoch()
    {
        return epochs.isEmpty() ? -1 : epochs.lastKey();
    }

    /**
     * The end offset of {@code epoch} (the start offset of the next larger epoch, or {@code logEndOffset} for the
     * latest). For an epoch the cache does not know, the end of the largest epoch below it, which tells a follower
     * where the logs diverge. Returns (epoch found, end offset), or (-1, {@link #UNDEFINED_OFFSET}) when no epoch
     * at or below it exists.
     */
    public synchronized EpochEntry endOffsetFor(final int epoch, final long logEndOffset)
    {
        if (epochs.isEmpty())
        {
            return new EpochEntry(-1, UNDEFINED_OFFSET);
        }
        if (epoch == epochs.lastKey())
        {
            return new EpochEntry(epoch, logEndOffset);
        }
        final Integer floor = epochs.floorKey(epoch);
        if (floor == null)
        {
            return new EpochEntry(-1, UNDEFINED_OFFSET);
        }
        final Map.Entry<Integer, Long> higher = epochs.higherEntry(epoch);
        return new EpochEntry(floor, higher == null ? logEndOffset : higher.getValue());
    }

    /** Removes epochs that start at or after {@code endOffset}, after the log was truncated to it. */
    public synchronized void truncateFromEnd(final long endOffset)
    {
        final boolean changed = epochs.values().removeIf(start -> start >= endOffset);
        if (changed)
        {
            flush();
        }
    }

    /**
     * Drops epochs wholly below {@code startOffset} after the log start moved, keeping the one that covers it with
     * its start moved up.
     */
    public synchronized void truncateFromStart(final long startOffset)
    {
        Map.Entry<Integer, Long> covering = null;
        for (final Map.Entry<Integer, Long> entry : epochs.entrySet())
        {
            if (entry.getValue() <= startOffset)
            {
                covering = entry;
            }
        }
        if (covering == null || covering.getValue() == startOffset && covering.getKey().equals(epochs.firstKey()))
        {
            return;
        }
        final int epoch = covering.getKey();
        epochs.headMap(epoch, false).clear();
        epochs.put(epoch, startOffset);
        flush();
    }

    /** Forgets every epoch, for a log that restarts at a new offset. */
    public synchronized void clear()
    {
        if (!epochs.isEmpty())
        {
            epochs.clear();
            flush();
        }
    }

    public synchronized List<EpochEntry> entries()
    {
        final List<EpochEntry> list = new ArrayList<>();
        epochs.forEach((epoch, start) -> list.add(new EpochEntry(epoch, start)));
        return list;
    }

    private void flush()
    {
        final List<String> lines = new ArrayList<>();
        epochs.forEach((epoch, start) -> lines.add(epoch + " " + start));
        checkpoint.write(lines);
    }
}
