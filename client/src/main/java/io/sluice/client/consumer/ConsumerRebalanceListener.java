package io.sluice.client.consumer;

import io.sluice.common.TopicPartition;

import java.util.Collection;

/**
 * Hears about partitions moving to and from this consumer, on the thread that calls {@code poll}.
 * {@link #onPartitionsRevoked} runs before the group can give the partitions to another member, so offsets
 * committed there are where the next owner starts.
 */
public interface ConsumerRebalanceListener
{
    /** These partitions go to other members once this returns; commit what was processed of them here. */
    void onPartitionsRevoked(Collection<TopicPartition> partitions);

    /** These partitions are now this consumer's, with positions at their committed offsets. */
    void onPartitionsAssigned(Collection<TopicPartition> partitions);

    /**
     * These partitions were taken away without a chance to commit (the member was fenced or timed out): another
     * member may already own them.
     */
    default void onPartitionsLost(final Collection<TopicPartition> partitions)
    {
        onPartitionsRevoked(partitions);
    }

    /** A listener that does nothing. */
    ConsumerRebalanceListener NOOP = new ConsumerRebalanceListener()
    {
        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
        {
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
        {
        }
    };
}
