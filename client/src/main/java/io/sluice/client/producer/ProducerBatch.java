package io.sluice.client.producer;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchBuilder;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * Records gathered for one partition, encoded as they arrive, and the futures of their senders. Closed into a v2
 * batch when drained; the bytes are kept for retries. Guarded by the accumulator's per-partition deque lock until
 * drained, then owned by the sender thread.
 */
final class ProducerBatch
{
    /** Record slots allocated up front at most (a batch of tiny records grows past them). */
    private static final int MAX_INITIAL_SLOTS = 1024;

    final TopicPartition topicPartition;
    final long createdMs;
    final long deliveryDeadlineMs;
    private final RecordBatchBuilder builder;
    private final int allocatedSize;
    private final int capacity;
    // Each record's future and what its RecordMetadata needs, in arrays sized for a full batch of records like the
    // first: no object per record but what the API hands back (the future, then its RecordMetadata).
    private CompletableFuture<RecordMetadata>[] futures;
    private long[] timestamps;
    private int[] keySizes;
    private int[] valueSizes;
    private int recordCount;
    private ByteBuffer built;
    int attempts;
    long retryAfterMs;
    int baseSequence = RecordBatch.NO_SEQUENCE;
    /** Why the last attempt failed, for the message if the batch then expires waiting to be retried. */
    io.sluice.common.errors.SluiceException lastError;

    ProducerBatch(final TopicPartition topicPartition, final RecordBatchBuilder builder, final int allocatedSize,
        final CompressionType compression, final long nowMs, final long deliveryTimeoutMs)
    {
        this.topicPartition = topicPartition;
        this.builder = builder;
        this.allocatedSize = allocatedSize;
        this.capacity = Math.max(allocatedSize, 64);
        this.createdMs = nowMs;
        this.deliveryDeadlineMs = nowMs + deliveryTimeoutMs;
        builder.reset(compression);
    }

    /**
     * Appends a record if it fits ({@code batch.size} counts uncompressed bytes, as Kafka's estimate does); the
     * first record always fits. Returns the sender's future, or null when the batch is full.
     */
    synchronized CompletableFuture<RecordMetadata> tryAppend(final long timestamp, final byte[] key, final byte[] value,
        final Header[] headers)
    {
        if (built != null)
        {
            return null;
        }
        final int keySize = key == null ? -1 : key.length;
        final int valueSize = value == null ? -1 : value.length;
        final int size = RecordBatchBuilder.sizeOfRecord(recordCount, 0, keySize, valueSize, headers) + 12;
        if (recordCount > 0 && RecordBatch.HEADER_SIZE + builder.uncompressedRecordsSize() + size > capacity)
        {
            return null;
        }
        if (futures == null)
        {
            // Enough for a full batch of records the size of the first (later ones' deltas take no fewer bytes);
            // records of other sizes grow the slots.
            allocateRecordSlots(Math.max(1, Math.min(MAX_INITIAL_SLOTS, (capacity - RecordBatch.HEADER_SIZE)
                / (size - 12) + 1)));
        }
        else if (recordCount == futures.length)
        {
            allocateRecordSlots(2 * recordCount);
        }
        builder.append(timestamp, key, value, headers);
        final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        futures[recordCount] = future;
        timestamps[recordCount] = timestamp;
        keySizes[recordCount] = keySize;
        valueSizes[recordCount] = valueSize;
        recordCount++;
        return future;
    }

    @SuppressWarnings("unchecked")
    private void allocateRecordSlots(final int slots)
    {
        futures = futures == null ? (CompletableFuture<RecordMetadata>[])new CompletableFuture<?>[slots]
            : Arrays.copyOf(futures, slots);
        timestamps = timestamps == null ? new long[slots] : Arrays.copyOf(timestamps, slots);
        keySizes = keySizes == null ? new int[slots] : Arrays.copyOf(keySizes, slots);
        valueSizes = valueSizes == null ? new int[slots] : Arrays.copyOf(valueSizes, slots);
    }

    boolean isFull()
    {
        return built != null || RecordBatch.HEADER_SIZE + builder.uncompressedRecordsSize() >= capacity;
    }

    int recordCount()
    {
        return recordCount;
    }

    boolean isClosed()
    {
        return built != null;
    }

    /** Builds the batch bytes with the producer's id, epoch and the given base sequence. */
    synchronized void close(final long producerId, final short producerEpoch, final int sequence)
    {
        if (built != null)
        {
            return;
        }
        baseSequence = sequence;
        // The builder encoded records already; only the header depends on the producer fields.
        builder.producerFields(producerId, producerEpoch, sequence);
        built = builder.build();
    }

    /** Renumbers a closed batch after an earlier failed batch left a sequence gap. */
    void resequence(final int sequence, final CRC32C crc)
    {
        baseSequence = sequence;
        RecordBatch.setBaseSequence(built, 0, sequence, crc);
    }

    ByteBuffer bytes()
    {
        return built.duplicate();
    }

    int sizeInBytes()
    {
        return built == null ? RecordBatch.HEADER_SIZE + builder.uncompressedRecordsSize() : built.remaining();
    }

    void complete(final long baseOffset)
    {
        for (int i = 0; i < recordCount; i++)
        {
            futures[i].complete(new RecordMetadata(topicPartition, baseOffset < 0 ? -1 : baseOffset + i,
                timestamps[i], keySizes[i], valueSizes[i]));
        }
    }

    void fail(final SluiceException error)
    {
        for (int i = 0; i < recordCount; i++)
        {
            futures[i].completeExceptionally(error);
        }
    }

    /** The futures, for flush() to wait on. */
    synchronized List<CompletableFuture<RecordMetadata>> futures()
    {
        return recordCount == 0 ? List.of() : Arrays.asList(Arrays.copyOf(futures, recordCount));
    }

    RecordBatchBuilder builder()
    {
        return builder;
    }

    int allocatedSize()
    {
        return allocatedSize;
    }
}
