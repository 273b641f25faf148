package io.sluice.client.consumer;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;

/**
 * One partition's part of a fetch answer: its records, decoded on the thread that received them (null with an
 * error), or the error. {@code holdsBatches} says whether the answer carried any batch, which counts towards the
 * answers a partition may have waiting unconsumed.
 */
record CompletedFetch(TopicPartition topicPartition, long fetchOffset, Errors error, SluiceException failure,
    FetchedRecords decoded, boolean holdsBatches)
{
    static CompletedFetch failed(final TopicPartition topicPartition, final long fetchOffset, final Errors error,
        final SluiceException failure)
    {
        return new CompletedFetch(topicPartition, fetchOffset, error, failure, null, false);
    }
}
