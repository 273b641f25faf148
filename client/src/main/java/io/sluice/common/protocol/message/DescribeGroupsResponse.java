package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * Per group: its state and epochs, its members with what they own, and its committed offsets with the partition's
 * end offset where this broker leads the partition (-1 where it does not; the admin client asks the leader).
 */
public record DescribeGroupsResponse(short errorCode, List<Group> groups) implements Message
{
    public record Group(short errorCode, String groupId, String state, int groupEpoch, int assignmentEpoch,
        List<Member> members, List<Offset> offsets)
    {
    }

    public record Member(String memberId, String clientId, String host, int memberEpoch,
        List<String> subscribedTopics, String subscribedTopicRegex, List<TopicPartitionsData> assignment,
        List<TopicPartitionsData> pendingRevocation)
    {
    }

    public record Offset(String topic, int partition, long committedOffset, String metadata, long commitTimestamp,
        long endOffset)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeArrayLength(groups.size());
        for (final Group g : groups)
        {
            writer.writeShort(g.errorCode).writeString(g.groupId).writeString(g.state).writeInt(g.groupEpoch)
                .writeInt(g.assignmentEpoch).writeArrayLength(g.members.size());
            for (final Member m : g.members)
            {
                writer.writeString(m.memberId).writeString(m.clientId).writeString(m.host).writeInt(m.memberEpoch);
                TopicPartitionsData.writeStrings(writer, m.subscribedTopics);
                writer.writeString(m.subscribedTopicRegex);
                TopicPartitionsData.write(writer, m.assignment);
                TopicPartitionsData.write(writer, m.pendingRevocation);
            }
            writer.writeArrayLength(g.offsets.size());
            for (final Offset o : g.offsets)
            {
                writer.writeString(o.topic).writeInt(o.partition).writeLong(o.committedOffset).writeString(o.metadata)
                    .writeLong(o.commitTimestamp).writeLong(o.endOffset);
            }
        }
    }

    public static DescribeGroupsResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int n = reader.readArrayLength(20);
        final List<Group> groups = new ArrayList<>(Math.max(0, n));
        for (int i = 0; i < n; i++)
        {
            final short groupError = reader.readShort();
            final String id = reader.readString();
            final String state = reader.readString();
            final int groupEpoch = reader.readInt();
            final int assignmentEpoch = reader.readInt();
            final int memberCount = reader.readArrayLength(24);
            final List<Member> members = new ArrayList<>(Math.max(0, memberCount));
            for (int m = 0; m < memberCount; m++)
            {
                members.add(new Member(reader.readString(), reader.readString(), reader.readString(),
                    reader.readInt(), TopicPartitionsData.readStrings(reader, "topic name"), reader.readString(),
                    TopicPartitionsData.read(reader), TopicPartitionsData.read(reader)));
            }
            final int offsetCount = reader.readArrayLength(32);
            final List<Offset> offsets = new ArrayList<>(Math.max(0, offsetCount));
            for (int o = 0; o < offsetCount; o++)
            {
                offsets.add(new Offset(reader.readString(), reader.readInt(), reader.readLong(), reader.readString(),
                    reader.readLong(), reader.readLong()));
            }
            groups.add(new Group(groupError, id, state, groupEpoch, assignmentEpoch, members, offsets));
        }
        return new DescribeGroupsResponse(error, groups);
    }
}
