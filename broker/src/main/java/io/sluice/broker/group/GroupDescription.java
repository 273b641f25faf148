package io.sluice.broker.group;

import io.sluice.common.TopicPartition;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** A point-in-time copy of a group, for DescribeGroups and ListGroups. */
public record GroupDescription(String groupId, GroupState state, int groupEpoch, int assignmentEpoch,
    List<Member> members, Map<TopicPartition, CommittedOffset> offsets)
{
    public record Member(String memberId, String clientId, String host, int memberEpoch, List<String> topics,
        String regex, Set<TopicPartition> owned, Set<TopicPartition> pendingRevocation)
    {
    }
}
