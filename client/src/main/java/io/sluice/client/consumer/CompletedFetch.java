package io.sluice.client.consumer;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import java.nio.ByteBuffer;

/**
 * One partition's part of a fetch response: the raw batches (decoded lazily by {@code poll}, a batch at a time,
 * as Kafka's consumer does), or the error.
 */
record CompletedFetch(TopicPartition topicPartition, long fetchOffset, Errors error, SluiceException failure,
    ByteBuffer records, long highWatermark)
{
}
