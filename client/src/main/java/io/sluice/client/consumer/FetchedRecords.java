package io.sluice.client.consumer;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchReader;
import io.sluice.common.record.RecordView;
import io.sluice.common.record.RecordVisitor;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * One partition's fetched batches, checked (CRC, lengths, offsets) and split into records on the thread that
 * received them, so that {@code poll} only deserializes and hands them out: the I/O thread is mostly idle while the
 * broker holds the next fetch, and the varint decoding and byte copies are most of a consumer's work. Keys and
 * values stay bytes here; application deserializers run on the thread that calls {@code poll}, as in Kafka.
 *
 * <p>Records below the fetch offset are skipped. A batch that fails its checks ends the records: those before it
 * are kept and the failure is kept for {@code poll} to throw after them. Built by one thread, then only read by the
 * consumer's thread, which receives it through the fetch queue.
 */
final class FetchedRecords implements RecordVisitor
{
    private static final long[] NO_LONGS = new long[0];
    private static final byte[][] NO_BYTES = new byte[0][];
    private static final Object[] NO_HEADERS = new Object[0];

    private final long fetchOffset;
    private long[] offsets = NO_LONGS;
    private long[] timestamps = NO_LONGS;
    private byte[][] keys = NO_BYTES;
    private byte[][] values = NO_BYTES;
    private Object[] headers = NO_HEADERS;
    private int size;
    private long nextOffset;
    private SluiceException failure;
    private long failureOffset;

    private FetchedRecords(final long fetchOffset)
    {
        this.fetchOffset = fetchOffset;
        this.nextOffset = fetchOffset;
    }

    /** Decodes every batch in {@code [position, limit)} of {@code batches}, keeping the records from fetchOffset. */
    static FetchedRecords decode(final ByteBuffer batches, final long fetchOffset, final RecordBatchReader reader)
    {
        final FetchedRecords records = new FetchedRecords(fetchOffset);
        int next = batches.position();
        while (next < batches.limit())
        {
            final int start = next;
            try
            {
                next += reader.forEach(batches, start, batches.limit() - start, records);
            }
            catch (final SluiceException e)
            {
                // A damaged batch, or one this client cannot read. The records before it stay, to be returned
                // first; the consumer's position is then after them, where the application must seek past it.
                records.failure = e;
                records.failureOffset = records.size == 0 ? records.nextOffset : records.offsets[records.size - 1] + 1;
                break;
            }
            // Read only now that the batch is known to be whole.
            records.nextOffset = Math.max(records.nextOffset, RecordBatch.nextOffset(batches, start));
        }
        return records;
    }

    @Override
    public void onRecord(final RecordView record)
    {
        if (record.offset() < fetchOffset)
        {
            return;
        }
        if (size == offsets.length)
        {
            grow();
        }
        offsets[size] = record.offset();
        timestamps[size] = record.timestamp();
        keys[size] = record.key();
        values[size] = record.value();
        headers[size] = record.headers();
        size++;
    }

    private void grow()
    {
        final int capacity = Math.max(64, size * 2);
        offsets = Arrays.copyOf(offsets, capacity);
        timestamps = Arrays.copyOf(timestamps, capacity);
        keys = Arrays.copyOf(keys, capacity);
        values = Arrays.copyOf(values, capacity);
        headers = Arrays.copyOf(headers, capacity);
    }

    int size()
    {
        return size;
    }

    long offset(final int index)
    {
        return offsets[index];
    }

    long timestamp(final int index)
    {
        return timestamps[index];
    }

    byte[] key(final int index)
    {
        return keys[index];
    }

    byte[] value(final int index)
    {
        return values[index];
    }

    @SuppressWarnings("unchecked")
    List<Header> headers(final int index)
    {
        return (List<Header>)headers[index];
    }

    /** The first index whose offset is at least {@code position} ({@link #size()} if none). */
    int indexOf(final long position)
    {
        int index = 0;
        while (index < size && offsets[index] < position)
        {
            index++;
        }
        return index;
    }

    /** The offset after the last whole batch: where the next fetch starts once every record is consumed. */
    long nextOffset()
    {
        return nextOffset;
    }

    /**
     * The error that ended the records, to throw once they are consumed, or null if every batch decoded. Names the
     * offset the damage starts at, which is never below {@code position}: the consumer already has what lies below.
     */
    SluiceException failure(final TopicPartition topicPartition, final long position)
    {
        return failure instanceof CorruptRecordException corrupt
            ? new CorruptRecordException(topicPartition, Math.max(failureOffset, position), corrupt) : failure;
    }

    boolean failed()
    {
        return failure != null;
    }
}
