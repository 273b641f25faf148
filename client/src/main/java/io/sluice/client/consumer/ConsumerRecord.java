package io.sluice.client.consumer;

import io.sluice.common.record.Header;

import java.util.List;

/** A record read from a partition, with its offset and timestamp. */
public record ConsumerRecord<K, V>(String topic, int partition, long offset, long timestamp, K key, V value,
    List<Header> headers)
{
}
