package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.List;

/**
 * A member's heartbeat in the style of Kafka's KIP-848. {@code memberEpoch} 0 joins (with an empty member id; the
 * coordinator assigns one), -1 leaves, anything else is the epoch the member was last given. The subscription
 * ({@code subscribedTopicNames} or {@code subscribedTopicRegex}) and {@code ownedPartitions} are null when they did
 * not change since the last heartbeat.
 */
public record ConsumerGroupHeartbeatRequest(String groupId, String memberId, int memberEpoch,
    int rebalanceTimeoutMs, List<String> subscribedTopicNames, String subscribedTopicRegex,
    List<TopicPartitionsData> ownedPartitions) implements Message
{
    public static final int JOIN_EPOCH = 0;
    public static final int LEAVE_EPOCH = -1;

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeString(groupId).writeString(memberId).writeInt(memberEpoch).writeInt(rebalanceTimeoutMs);
        TopicPartitionsData.writeStrings(writer, subscribedTopicNames);
        writer.writeString(subscribedTopicRegex);
        TopicPartitionsData.write(writer, ownedPartitions);
    }

    public static ConsumerGroupHeartbeatRequest read(final MessageReader reader)
    {
        return new ConsumerGroupHeartbeatRequest(reader.readRequiredString("group id"), reader.readString(),
            reader.readInt(), reader.readInt(), TopicPartitionsData.readStrings(reader, "topic name"),
            reader.readString(), TopicPartitionsData.read(reader));
    }
}
