package io.sluice.broker.server;

import io.sluice.broker.group.CommittedOffset;
import io.sluice.broker.group.GroupCoordinator;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.ReplicaManager;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.DescribeGroupsResponse;
import io.sluice.common.protocol.message.GroupIdsRequest;
import io.sluice.common.protocol.message.TopicPartitionsData;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** DescribeGroups: state, members and what they own, committed offsets and the end offsets this broker knows. */
public final class DescribeGroupsHandler implements RequestHandler
{
    private final GroupCoordinator coordinator;
    private final ReplicaManager replicas;

    public DescribeGroupsHandler(final GroupCoordinator coordinator, final ReplicaManager replicas)
    {
        this.coordinator = coordinator;
        this.replicas = replicas;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final GroupIdsRequest request = GroupIdsRequest.read(body);
        body.ensureFullyRead("DescribeGroups request");
        final List<DescribeGroupsResponse.Group> groups = new ArrayList<>();
        for (final String groupId : request.groupIds())
        {
            try
            {
                final var view = coordinator.describe(groupId);
                if (view == null)
                {
                    groups.add(empty(groupId, Errors.GROUP_ID_NOT_FOUND));
                    continue;
                }
                final List<DescribeGroupsResponse.Member> members = new ArrayList<>();
                for (final var m : view.members())
                {
                    members.add(new DescribeGroupsResponse.Member(m.memberId(), m.clientId(), m.host(),
                        m.memberEpoch(), m.topics(), m.regex(), TopicPartitionsData.of(m.owned()),
                        TopicPartitionsData.of(m.pendingRevocation())));
                }
                final List<DescribeGroupsResponse.Offset> offsets = new ArrayList<>();
                for (final Map.Entry<TopicPartition, CommittedOffset> e : view.offsets().entrySet())
                {
                    final Partition partition = replicas.partitionOrNull(e.getKey());
                    offsets.add(new DescribeGroupsResponse.Offset(e.getKey().topic(), e.getKey().partition(),
                        e.getValue().offset(), e.getValue().metadata(), e.getValue().commitTimestamp(),
                        partition == null ? -1L : partition.highWatermark()));
                }
                groups.add(new DescribeGroupsResponse.Group(Errors.NONE.code(), groupId,
                    view.state().name().toLowerCase(Locale.ROOT), view.groupEpoch(), view.assignmentEpoch(),
                    members, offsets));
            }
            catch (final SluiceException e)
            {
                groups.add(empty(groupId, Errors.forException(e)));
            }
        }
        context.respond(new DescribeGroupsResponse(Errors.NONE.code(), groups));
    }

    private static DescribeGroupsResponse.Group empty(final String groupId, final Errors error)
    {
        return new DescribeGroupsResponse.Group(error.code(), groupId, "dead", -1, -1, List.of(), List.of());
    }
}
