package io.sluice.broker.producer;

import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.record.RecordBatch;
import io.sluice.storage.checkpoint.CheckpointFile;
import io.sluice.storage.log.Log;
import io.sluice.storage.log.LogAppendInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Idempotent-producer state of one partition: for each producer id, its epoch and the last five batches' sequence
 * ranges and offsets. A retried batch that matches one of them is answered with its original offsets instead of
 * being written again; a batch whose first sequence does not follow the last one is refused.
 *
 * <p>The state is rebuilt on start from a snapshot written at clean shutdown plus a scan of the log after it, or
 * from the whole log when there is no usable snapshot, so de-duplication survives restarts and crashes.
 *
 * <p>Thread-safety: called under the owning partition's lock.
 */
public final class ProducerStateManager
{
    public static final String SNAPSHOT_FILE = "producer-state.snapshot";
    static final int BATCHES_TO_KEEP = 5;

    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);

    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    private final CheckpointFile snapshot;
    private final long expirationMs;

    /** The last batches of one producer. */
    static final class ProducerEntry
    {
        short epoch;
        long lastTimestamp;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(BATCHES_TO_KEEP);

        BatchMetadata last()
        {
            return batches.peekLast();
        }
    }

    /** Sequence range and offsets of one appended batch. */
    record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset)
    {
    }

    public ProducerStateManager(final Path partitionDir, final long expirationMs)
    {
        this.snapshot = new CheckpointFile(partitionDir.resolve(SNAPSHOT_FILE));
        this.expirationMs = expirationMs;
    }

    /** Rebuilds the state of {@code log}: the snapshot if it is valid for this log, then the batches after it. */
    public void load(final Log log)
    {
        producers.clear();
        long from = log.logStartOffset();
        try
        {
            final List<String> lines = snapshot.read();
            if (!lines.isEmpty())
            {
                final long snapshotOffset = Long.parseLong(lines.get(0).trim());
                if (snapshotOffset <= log.logEndOffset() && snapshotOffset >= log.logStartOffset())
                {
                    for (final String line : lines.subList(1, lines.size()))
                    {
                        final String[] f = line.trim().split(" ");
                        final ProducerEntry entry = producers.computeIfAbsent(Long.parseLong(f[0]),
                            k -> new ProducerEntry());
                        entry.epoch = Short.parseShort(f[1]);
                        entry.lastTimestamp = Long.parseLong(f[6]);
                        entry.batches.addLast(new BatchMetadata(Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                            Long.parseLong(f[4]), Long.parseLong(f[5])));
                    }
                    from = snapshotOffset;
                }
            }
        }
        catch (final RuntimeException e)
        {
            LOG.warn("Ignoring producer state snapshot {}: {}; rebuilding from the log", snapshot.file(),
                e.getMessage());
            producers.clear();
            from = log.logStartOffset();
        }
        if (from < log.logEndOffset())
        {
            log.scanBatches(from, (buffer, size) ->
            {
                final long pid = RecordBatch.producerId(buffer, 0);
                if (pid != RecordBatch.NO_PRODUCER_ID)
                {
                    record(pid, RecordBatch.producerEpoch(buffer, 0), RecordBatch.baseSequence(buffer, 0),
                        RecordBatch.lastOffsetDelta(buffer, 0), RecordBatch.baseOffset(buffer, 0),
                        RecordBatch.lastOffset(buffer, 0), RecordBatch.maxTimestamp(buffer, 0));
                }
            });
        }
    }

    /** Writes the state as of {@code logEndOffset}. */
    public void writeSnapshot(final long logEndOffset)
    {
        final List<String> lines = new ArrayList<>();
        lines.add(Long.toString(logEndOffset));
        producers.forEach((pid, entry) ->
        {
            for (final BatchMetadata b : entry.batches)
            {
                lines.add(pid + " " + entry.epoch + " " + b.firstSeq + " " + b.lastSeq + " " + b.firstOffset + " "
                    + b.lastOffset + " " + entry.lastTimestamp);
            }
        });
        snapshot.write(lines);
    }

    /**
     * Checks every batch of an append against the producers' state. Returns false if the append is a retry of
     * batches already in the log (then {@code info} holds their original offsets); throws for a fenced epoch or a
     * sequence gap.
     */
    public boolean admit(final ByteBuffer records, final LogAppendInfo info)
    {
        final int end = records.limit();
        int duplicates = 0;
        int batches = 0;
        BatchMetadata firstDuplicate = null;
        for (int i = records.position(); i < end; i += RecordBatch.sizeInBytes(records, i))
        {
            batches++;
            final long pid = RecordBatch.producerId(records, i);
            if (pid == RecordBatch.NO_PRODUCER_ID)
            {
                continue;
            }
            final BatchMetadata duplicate = check(pid, RecordBatch.producerEpoch(records, i),
                RecordBatch.baseSequence(records, i), RecordBatch.lastOffsetDelta(records, i));
            if (duplicate != null)
            {
                duplicates++;
                if (firstDuplicate == null)
                {
                    firstDuplicate = duplicate;
                }
            }
        }
        if (duplicates == 0)
        {
            return true;
        }
        if (duplicates != batches || batches != 1)
        {
            throw new ApiException(Errors.DUPLICATE_SEQUENCE_NUMBER.code(), false,
                "An append mixing new and already written batches of an idempotent producer");
        }
        info.firstOffset = firstDuplicate.firstOffset;
        info.lastOffset = firstDuplicate.lastOffset;
        return false;
    }

    private BatchMetadata check(final long pid, final short epoch, final int firstSeq, final int lastOffsetDelta)
    {
        final ProducerEntry entry = producers.get(pid);
        if (entry == null || entry.batches.isEmpty())
        {
            // No state (a new producer, or one whose state expired or whose batches retention removed): accept any
            // sequence, as Kafka does since KIP-360, and track the producer from here on.
            return null;
        }
        if (epoch < entry.epoch)
        {
            throw new ApiException(Errors.INVALID_PRODUCER_EPOCH.code(), false, "Producer " + pid + " epoch " + epoch
                + " is older than the current epoch " + entry.epoch);
        }
        if (epoch > entry.epoch)
        {
            if (firstSeq != 0)
            {
                throw new ApiException(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), false, "Producer " + pid
                    + " starts epoch " + epoch + " with sequence " + firstSeq + "; it must start at 0");
            }
            return null;
        }
        final int lastSeq = increment(firstSeq, lastOffsetDelta);
        for (final BatchMetadata batch : entry.batches)
        {
            if (batch.firstSeq == firstSeq && batch.lastSeq == lastSeq)
            {
                return batch;
            }
        }
        final int expected = increment(entry.last().lastSeq, 1);
        if (firstSeq != expected)
        {
            throw new ApiException(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), false, "Producer " + pid
                + " sent sequence " + firstSeq + " but " + expected + " was expected");
        }
        return null;
    }

    /** Records the batches of an append that was written at the offsets now in their headers. */
    public void update(final ByteBuffer records)
    {
        final int end = records.limit();
        for (int i = records.position(); i < end; i += RecordBatch.sizeInBytes(records, i))
        {
            final long pid = RecordBatch.producerId(records, i);
            if (pid != RecordBatch.NO_PRODUCER_ID)
            {
                record(pid, RecordBatch.producerEpoch(records, i), RecordBatch.baseSequence(records, i),
                    RecordBatch.lastOffsetDelta(records, i), RecordBatch.baseOffset(records, i),
                    RecordBatch.lastOffset(records, i), RecordBatch.maxTimestamp(records, i));
            }
        }
    }

    private void record(final long pid, final short epoch, final int firstSeq, final int lastOffsetDelta,
        final long firstOffset, final long lastOffset, final long timestamp)
    {
        final ProducerEntry entry = producers.computeIfAbsent(pid, k -> new ProducerEntry());
        if (epoch != entry.epoch)
        {
            entry.batches.clear();
            entry.epoch = epoch;
        }
        if (entry.batches.size() == BATCHES_TO_KEEP)
        {
            entry.batches.removeFirst();
        }
        entry.batches.addLast(new BatchMetadata(firstSeq, increment(firstSeq, lastOffsetDelta), firstOffset,
            lastOffset));
        entry.lastTimestamp = Math.max(entry.lastTimestamp, timestamp);
    }

    /** Drops producers idle longer than {@code producer.id.expiration.ms}. */
    public void expire(final long nowMs)
    {
        final Iterator<ProducerEntry> it = producers.values().iterator();
        while (it.hasNext())
        {
            if (nowMs - it.next().lastTimestamp > expirationMs)
            {
                it.remove();
            }
        }
    }

    /** Sequence arithmetic wraps from Integer.MAX_VALUE to 0, as in Kafka. */
    static int increment(final int sequence, final int increment)
    {
        if (sequence > Integer.MAX_VALUE - increment)
        {
            return increment - (Integer.MAX_VALUE - sequence) - 1;
        }
        return sequence + increment;
    }
}
