package io.sluice.broker.server;

import io.sluice.broker.group.CommittedOffset;
import io.sluice.broker.group.GroupCoordinator;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.OffsetFetchRequest;
import io.sluice.common.protocol.message.OffsetFetchResponse;
import io.sluice.common.protocol.message.TopicPartitionsData;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** OffsetFetch: a group's committed offsets; -1 for a partition it never committed. */
public final class OffsetFetchHandler implements RequestHandler
{
    private final GroupCoordinator coordinator;

    public OffsetFetchHandler(final GroupCoordinator coordinator)
    {
        this.coordinator = coordinator;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final OffsetFetchRequest request = OffsetFetchRequest.read(body);
        body.ensureFullyRead("OffsetFetch request");
        try
        {
            final Set<TopicPartition> wanted = TopicPartitionsData.toSet(request.partitions());
            final Map<TopicPartition, CommittedOffset> found = coordinator.fetchOffsets(request.groupId(),
                request.memberId(), request.memberEpoch(), wanted);
            final List<OffsetFetchResponse.PartitionOffset> offsets = new ArrayList<>();
            for (final TopicPartition tp : wanted == null ? found.keySet() : wanted)
            {
                final CommittedOffset o = found.get(tp);
                offsets.add(o == null
                    ? new OffsetFetchResponse.PartitionOffset(tp.topic(), tp.partition(), -1L, -1, null, -1L,
                        Errors.NONE.code())
                    : new OffsetFetchResponse.PartitionOffset(tp.topic(), tp.partition(), o.offset(),
                        o.leaderEpoch(), o.metadata(), o.commitTimestamp(), Errors.NONE.code()));
            }
            context.respond(new OffsetFetchResponse(Errors.NONE.code(), offsets));
        }
        catch (final SluiceException e)
        {
            context.respond(new OffsetFetchResponse(Errors.forException(e).code(), List.of()));
        }
    }
}
