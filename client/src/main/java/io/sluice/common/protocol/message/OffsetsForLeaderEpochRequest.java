package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * Asks a leader where each of some leader epochs ends in its log (Kafka's OffsetForLeaderEpoch): a replica that
 * becomes a follower sends its own latest epoch and truncates to the answer, so a log that diverged under an old
 * leader is cut back to what the new leader holds.
 */
public record OffsetsForLeaderEpochRequest(int replicaId, List<TopicData> topics) implements Message
{
    public record TopicData(String name, List<PartitionData> partitions)
    {
    }

    /**
     * @param currentLeaderEpoch the epoch the asker believes the leader has (-1: unknown), fenced like a fetch.
     * @param leaderEpoch        the epoch whose end offset is wanted.
     */
    public record PartitionData(int partition, int currentLeaderEpoch, int leaderEpoch)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeInt(replicaId).writeArrayLength(topics.size());
        for (final TopicData topic : topics)
        {
            writer.writeString(topic.name).writeArrayLength(topic.partitions.size());
            for (final PartitionData p : topic.partitions)
            {
                writer.writeInt(p.partition).writeInt(p.currentLeaderEpoch).writeInt(p.leaderEpoch);
            }
        }
    }

    public static OffsetsForLeaderEpochRequest read(final MessageReader reader)
    {
        final int replicaId = reader.readInt();
        final int topicCount = reader.readArrayLength(6);
        final List<TopicData> topics = new ArrayList<>(topicCount);
        for (int t = 0; t < topicCount; t++)
        {
            final String name = reader.readRequiredString("topic name");
            final int n = reader.readArrayLength(12);
            final List<PartitionData> partitions = new ArrayList<>(n);
            for (int p = 0; p < n; p++)
            {
                partitions.add(new PartitionData(reader.readInt(), reader.readInt(), reader.readInt()));
            }
            topics.add(new TopicData(name, partitions));
        }
        return new OffsetsForLeaderEpochRequest(replicaId, topics);
    }
}
