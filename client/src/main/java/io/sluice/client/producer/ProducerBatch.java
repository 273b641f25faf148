package io.sluice.client.producer;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchBuilder;

import java.nio.ByteBuffer;
import java.util.ArrayList;
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
    /** A sender's future and what it needs to become a {@link RecordMetadata}. */
    private record Thunk(CompletableFuture<RecordMetadata> future, long timestamp, int keySize, int valueSize)
    {
    }

    final TopicPartition topicPartition;
    final long createdMs;
    final long deliveryDeadlineMs;
    private final RecordBatchBuilder builder;
    private final int allocatedSize;
    private final int capacity;
    private final List<Thunk> thunks = new ArrayList<>();
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
        final int size = RecordBatchBuilder.sizeOfRecord(thunks.size(), 0, key == null ? -1 : key.length,
            value == null ? -1 : value.length, headers) + 12;
        if (!thunks.isEmpty() && RecordBatch.HEADER_SIZE + builder.uncompressedRecordsSize() + size > capacity)
        {
            return null;
        }
        builder.append(timestamp, key, value, headers);
        final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        thunks.add(new Thunk(future, timestamp, key == null ? -1 : key.length, value == null ? -1 : value.length));
        return future;
    }

    boolean isFull()
    {
        return built != null || RecordBatch.HEADER_SIZE + builder.uncompressedRecordsSize() >= capacity;
    }

    int recordCount()
    {
        return thunks.size();
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
        for (int i = 0; i < thunks.size(); i++)
        {
            final Thunk thunk = thunks.get(i);
            thunk.future.complete(new RecordMetadata(topicPartition, baseOffset < 0 ? -1 : baseOffset + i,
                thunk.timestamp, thunk.keySize, thunk.valueSize));
        }
    }

    void fail(final SluiceException error)
    {
        for (final Thunk thunk : thunks)
        {
            thunk.future.completeExceptionally(error);
        }
    }

    /** The futures, for flush() to wait on. */
    synchronized List<CompletableFuture<RecordMetadata>> futures()
    {
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>(thunks.size());
        thunks.forEach(t -> futures.add(t.future));
        return futures;
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
