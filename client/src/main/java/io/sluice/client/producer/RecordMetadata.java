package io.sluice.client.producer;

import io.sluice.common.TopicPartition;

/** Where an acknowledged record was written. Offset is -1 for acks=0, which gets no answer. */
public record RecordMetadata(TopicPartition topicPartition, long offset, long timestamp, int serializedKeySize,
    int serializedValueSize)
{
}
