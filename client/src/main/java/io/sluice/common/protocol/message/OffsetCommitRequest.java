package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * Commits offsets for a group. A member commits with its id and epoch; a client outside the group (manual
 * assignment, an admin resetting offsets) sends an empty member id and epoch -1, which only an empty group accepts.
 */
public record OffsetCommitRequest(String groupId, String memberId, int memberEpoch, List<TopicData> topics)
    implements Message
{
    public record TopicData(String name, List<PartitionData> partitions)
    {
    }

    public record PartitionData(int partition, long offset, int leaderEpoch, String metadata)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeString(groupId).writeString(memberId).writeInt(memberEpoch).writeArrayLength(topics.size());
        for (final TopicData topic : topics)
        {
            writer.writeString(topic.name).writeArrayLength(topic.partitions.size());
            for (final PartitionData p : topic.partitions)
            {
                writer.writeInt(p.partition).writeLong(p.offset).writeInt(p.leaderEpoch).writeString(p.metadata);
            }
        }
    }

    public static OffsetCommitRequest read(final MessageReader reader)
    {
        final String group = reader.readRequiredString("group id");
        final String member = reader.readString();
        final int epoch = reader.readInt();
        final int topicCount = reader.readArrayLength(6);
        final List<TopicData> topics = new ArrayList<>(Math.max(0, topicCount));
        for (int t = 0; t < topicCount; t++)
        {
            final String name = reader.readRequiredString("topic name");
            final int n = reader.readArrayLength(18);
            final List<PartitionData> partitions = new ArrayList<>(Math.max(0, n));
            for (int p = 0; p < n; p++)
            {
                partitions.add(new PartitionData(reader.readInt(), reader.readLong(), reader.readInt(),
                    reader.readString()));
            }
            topics.add(new TopicData(name, partitions));
        }
        return new OffsetCommitRequest(group, member, epoch, topics);
    }
}
