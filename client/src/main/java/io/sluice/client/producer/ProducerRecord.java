package io.sluice.client.producer;

import io.sluice.common.record.Header;

import java.util.List;

/**
 * A record to send. {@code partition} null lets the partitioner choose (by key hash, or sticky for null keys);
 * {@code timestamp} null means now.
 */
public record ProducerRecord<K, V>(String topic, Integer partition, Long timestamp, K key, V value,
    List<Header> headers)
{
    public ProducerRecord(final String topic, final K key, final V value)
    {
        this(topic, null, null, key, value, List.of());
    }

    public ProducerRecord(final String topic, final V value)
    {
        this(topic, null, null, null, value, List.of());
    }
}
