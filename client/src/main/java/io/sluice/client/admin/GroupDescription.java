package io.sluice.client.admin;

import io.sluice.common.TopicPartition;

import java.util.List;
import java.util.Set;

/**
 * A consumer group: its state and epoch, its members and what they own, and per partition the committed offset,
 * the end offset, the lag and the owner. A partition appears if the group committed for it or a member owns it.
 */
public record GroupDescription(String groupId, String state, int groupEpoch, List<Member> members,
    List<PartitionLag> partitions)
{
    public record Member(String memberId, String clientId, String host, int memberEpoch, Set<TopicPartition> owned)
    {
    }

    /** {@code committedOffset} is -1 without a commit; {@code lag} is end minus committed, or -1 if unknown. */
    public record PartitionLag(TopicPartition partition, long committedOffset, long endOffset, long lag,
        String ownerMemberId)
    {
    }
}
