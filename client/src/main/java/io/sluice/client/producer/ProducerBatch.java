package io.sluice.client.producer;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchBuilder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Records gathered for one partition, encoded as they arrive, and the callbacks of their senders. Closed into a v2
 * batch when drained; the bytes are kept for retries. Guarded by the accumulator's per-partition deque lock until
 * drained, then owned by the sender thread. Completed once: the outcome is kept for the records' futures.
 */
final class ProducerBatch
{
    private static final Logger LOG = LoggerFactory.getLogger(ProducerBatch.class);

    /** Record slots allocated up front at most (a batch of tiny records grows past them). */
    private static final int MAX_INITIAL_SLOTS = 1024;

    final TopicPartition topicPartition;
    final long createdMs;
    final long deliveryDeadlineMs;
    private final RecordBatchBuilder builder;
    private final int allocatedSize;
    private final int capacity;
    // Each record's callback and what its RecordMetadata needs, in arrays sized for a full batch of records like the
    // first: no object per record but the callback (or the future send returns, which is its own callback).
    private Callback[] callbacks;
    private long[] timestamps;
    private int[] keySizes;
    private int[] valueSizes;
    private int recordCount;
    private ByteBuffer built;
    private final CountDownLatch done = new CountDownLatch(1);
    private boolean finished;
    // Written before the callbacks run and done opens, read after: the outcome for the records' futures.
    private long resultBaseOffset = -1;
    private Exception failure;
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
     * first record always fits. Returns the record's future (the callback itself when it is a
     * {@link CallbackFuture}), or null when the batch is full.
     */
    synchronized Future<RecordMetadata> tryAppend(final long timestamp, final byte[] key, final byte[] value,
        final Header[] headers, final Callback callback)
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
        if (callbacks == null)
        {
            // Enough for a full batch of records the size of the first (later ones' deltas take no fewer bytes);
            // records of other sizes grow the slots.
            allocateRecordSlots(Math.max(1, Math.min(MAX_INITIAL_SLOTS, (capacity - RecordBatch.HEADER_SIZE)
                / (size - 12) + 1)));
        }
        else if (recordCount == callbacks.length)
        {
            allocateRecordSlots(2 * recordCount);
        }
        builder.append(timestamp, key, value, headers);
        final int index = recordCount++;
        callbacks[index] = callback;
        timestamps[index] = timestamp;
        keySizes[index] = keySize;
        valueSizes[index] = valueSize;
        return callback instanceof CallbackFuture future ? future : new RecordFuture(this, index);
    }

    private void allocateRecordSlots(final int slots)
    {
        callbacks = callbacks == null ? new Callback[slots] : Arrays.copyOf(callbacks, slots);
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

    /**
     * Acknowledged at {@code baseOffset} (-1 when acks=0): tells every record's callback, once, and only then
     * counts as done, so a flush returns after the callbacks ran, as Kafka's.
     */
    void complete(final long baseOffset)
    {
        if (finish(baseOffset, null))
        {
            try
            {
                for (int i = 0; i < recordCount; i++)
                {
                    call(callbacks[i], metadata(i), null);
                }
            }
            finally
            {
                done.countDown();
            }
        }
    }

    /** Failed for good: tells every record's callback, once, then counts as done. */
    void fail(final SluiceException error)
    {
        if (finish(-1, error))
        {
            try
            {
                for (int i = 0; i < recordCount; i++)
                {
                    call(callbacks[i], null, error);
                }
            }
            finally
            {
                done.countDown();
            }
        }
    }

    private synchronized boolean finish(final long baseOffset, final Exception error)
    {
        if (finished)
        {
            return false;
        }
        finished = true;
        resultBaseOffset = baseOffset;
        failure = error;
        return true;
    }

    private void call(final Callback callback, final RecordMetadata metadata, final Exception error)
    {
        try
        {
            callback.onCompletion(metadata, error);
        }
        catch (final RuntimeException e)
        {
            // The application's code: it must not stop the other records' callbacks or the sender.
            LOG.error("A send callback for {} threw", topicPartition, e);
        }
    }

    /** Record {@code index}'s metadata, once the batch is acknowledged. */
    RecordMetadata metadata(final int index)
    {
        return new RecordMetadata(topicPartition, resultBaseOffset < 0 ? -1 : resultBaseOffset + index,
            timestamps[index], keySizes[index], valueSizes[index]);
    }

    /** Why the batch failed, or null; meaningful once done. */
    Exception failure()
    {
        return failure;
    }

    boolean isDone()
    {
        return done.getCount() == 0;
    }

    void awaitDone() throws InterruptedException
    {
        done.await();
    }

    boolean awaitDone(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return done.await(timeout, unit);
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
