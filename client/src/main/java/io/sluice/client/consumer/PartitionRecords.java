package io.sluice.client.consumer;

import io.sluice.client.serialization.Deserializer;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.errors.RecordDeserializationException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchReader;
import io.sluice.common.record.RecordView;
import io.sluice.common.record.RecordVisitor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The fetched batches of one partition, turned into records a batch at a time as {@code poll} asks for them: each
 * batch's CRC is checked and its records deserialized straight into {@link ConsumerRecord}s, skipping those below
 * the fetch offset. Used by the consumer's thread only.
 */
final class PartitionRecords<K, V> implements RecordVisitor
{
    private final TopicPartition topicPartition;
    private final ByteBuffer batches;
    private final long fetchOffset;
    private final RecordBatchReader reader;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final List<ConsumerRecord<K, V>> current = new ArrayList<>();
    private int index;
    private int nextBatch;
    private long nextOffset;
    /** Why the batches cannot be read past some record; thrown by {@link #next()} once it gets there. */
    private SluiceException failure;

    PartitionRecords(final TopicPartition topicPartition, final ByteBuffer batches, final long fetchOffset,
        final RecordBatchReader reader, final Deserializer<K> keys, final Deserializer<V> values)
    {
        this.topicPartition = topicPartition;
        this.batches = batches;
        this.fetchOffset = fetchOffset;
        this.reader = reader;
        this.keys = keys;
        this.values = values;
        this.nextBatch = batches.position();
        this.nextOffset = fetchOffset;
    }

    /**
     * The next record, or null when every batch is consumed. A batch that fails its checks, or a record the
     * deserializers refuse, is thrown (again at every call) once the records decoded before it were returned.
     */
    ConsumerRecord<K, V> next()
    {
        while (index >= current.size())
        {
            if (failure != null)
            {
                throw failure;
            }
            if (nextBatch >= batches.limit())
            {
                return null;
            }
            current.clear();
            index = 0;
            final int start = nextBatch;
            final long batchNext = RecordBatch.nextOffset(batches, start);
            try
            {
                nextBatch += reader.forEach(batches, start, batches.limit() - start, this);
            }
            catch (final CorruptRecordException e)
            {
                // The records before it in this batch stay in current, to be returned first; the consumer's
                // position is then after them, where the application must seek past the damage.
                final long stoppedAt = current.isEmpty() ? nextOffset : current.get(current.size() - 1).offset() + 1;
                failure = new CorruptRecordException(topicPartition, stoppedAt, e);
                continue;
            }
            catch (final SluiceException e)
            {
                failure = e;
                continue;
            }
            nextOffset = Math.max(nextOffset, batchNext);
        }
        return current.get(index++);
    }

    /** The offset after the last batch decoded so far: the position once this fetch is consumed. */
    long nextOffset()
    {
        return nextOffset;
    }

    /**
     * How many more records {@link #next()} returns if no batch is left to decode, else -1 (not known without
     * decoding them).
     */
    int remainingIfKnown()
    {
        return nextBatch < batches.limit() ? -1 : current.size() - index;
    }

    boolean isEmpty()
    {
        return index >= current.size() && nextBatch >= batches.limit();
    }

    @Override
    public void onRecord(final RecordView record)
    {
        if (record.offset() < fetchOffset)
        {
            return;
        }
        final String topic = topicPartition.topic();
        final K key;
        final V value;
        try
        {
            key = keys.deserialize(topic, record.key());
            value = values.deserialize(topic, record.value());
        }
        catch (final RuntimeException e)
        {
            throw new RecordDeserializationException(topicPartition, record.offset(), e);
        }
        current.add(new ConsumerRecord<>(topic, topicPartition.partition(), record.offset(), record.timestamp(), key,
            value, record.headers()));
    }
}
