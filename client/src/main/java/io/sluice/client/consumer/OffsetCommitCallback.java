package io.sluice.client.consumer;

import io.sluice.common.TopicPartition;

import java.util.Map;

/** Hears how an asynchronous commit ended, on the thread that calls {@code poll}, {@code commitSync} or close. */
@FunctionalInterface
public interface OffsetCommitCallback
{
    /** {@code exception} is null when every offset was committed. */
    void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, Exception exception);
}
