package io.sluice.client.consumer;

import io.sluice.client.serialization.Deserializer;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.RecordDeserializationException;
import io.sluice.common.errors.SluiceException;

/**
 * The records of one fetch that poll hands out from the consumer's position on: each is deserialized here, on the
 * consumer's thread, as it is taken. Used by the consumer's thread only.
 */
final class PartitionRecords<K, V>
{
    private final TopicPartition topicPartition;
    private final FetchedRecords fetched;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final long position;
    private int index;
    /** Why no record past {@link #index} can be returned; thrown by {@link #next()} once it gets there. */
    private SluiceException failure;

    PartitionRecords(final TopicPartition topicPartition, final FetchedRecords fetched, final long position,
        final Deserializer<K> keys, final Deserializer<V> values)
    {
        this.topicPartition = topicPartition;
        this.fetched = fetched;
        this.keys = keys;
        this.values = values;
        this.position = position;
        this.index = fetched.indexOf(position);
    }

    /**
     * The next record, or null when every record is taken. A batch that failed its checks, or a record the
     * deserializers refuse, is thrown (again at every call) once the records before it were returned.
     */
    ConsumerRecord<K, V> next()
    {
        if (failure != null)
        {
            throw failure;
        }
        if (index >= fetched.size())
        {
            if (fetched.failed())
            {
                failure = fetched.failure(topicPartition, position);
                throw failure;
            }
            return null;
        }
        final String topic = topicPartition.topic();
        final long offset = fetched.offset(index);
        final K key;
        final V value;
        try
        {
            key = keys.deserialize(topic, fetched.key(index));
            value = values.deserialize(topic, fetched.value(index));
        }
        catch (final RuntimeException e)
        {
            failure = new RecordDeserializationException(topicPartition, offset, e);
            throw failure;
        }
        final ConsumerRecord<K, V> record = new ConsumerRecord<>(topic, topicPartition.partition(), offset,
            fetched.timestamp(index), key, value, fetched.headers(index));
        index++;
        return record;
    }

    /** The offset after the fetch's last whole batch: the position once every record is taken. */
    long nextOffset()
    {
        return fetched.nextOffset();
    }

    /** How many records {@link #next()} still returns (before a failure, if the fetch had one). */
    int remaining()
    {
        return fetched.size() - index;
    }

    /** True once every record is taken and there is no failure left to throw. */
    boolean isEmpty()
    {
        return index >= fetched.size() && !fetched.failed() && failure == null;
    }
}
