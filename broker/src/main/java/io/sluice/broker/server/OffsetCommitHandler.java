package io.sluice.broker.server;

import io.sluice.broker.group.CommittedOffset;
import io.sluice.broker.group.GroupCoordinator;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.OffsetCommitRequest;
import io.sluice.common.protocol.message.PartitionErrorsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OffsetCommit: stores offsets once they are replicated in {@code __consumer_offsets}. */
public final class OffsetCommitHandler implements RequestHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitHandler.class);

    private final GroupCoordinator coordinator;

    public OffsetCommitHandler(final GroupCoordinator coordinator)
    {
        this.coordinator = coordinator;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final OffsetCommitRequest request = OffsetCommitRequest.read(body);
        body.ensureFullyRead("OffsetCommit request");
        final long now = System.currentTimeMillis();
        final Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
        for (final OffsetCommitRequest.TopicData topic : request.topics())
        {
            for (final OffsetCommitRequest.PartitionData p : topic.partitions())
            {
                offsets.put(new TopicPartition(topic.name(), p.partition()), new CommittedOffset(p.offset(),
                    p.leaderEpoch(), p.metadata(), now));
            }
        }
        try
        {
            coordinator.commit(request.groupId(), request.memberId(), request.memberEpoch(), offsets)
                .whenComplete((errors, failure) ->
                {
                    if (failure != null)
                    {
                        LOG.error("Commit for group {} failed", request.groupId(), failure);
                        context.respond(response(request, null, Errors.UNKNOWN_SERVER_ERROR));
                    }
                    else
                    {
                        context.respond(response(request, errors, Errors.NONE));
                    }
                });
        }
        catch (final SluiceException e)
        {
            context.respond(response(request, null, Errors.forException(e)));
        }
    }

    /** Every partition gets its own error, or {@code all} when the request failed as a whole. */
    private static PartitionErrorsResponse response(final OffsetCommitRequest request,
        final Map<TopicPartition, Errors> errors, final Errors all)
    {
        final List<PartitionErrorsResponse.TopicData> topics = new ArrayList<>();
        for (final OffsetCommitRequest.TopicData topic : request.topics())
        {
            final List<PartitionErrorsResponse.PartitionError> partitions = new ArrayList<>();
            for (final OffsetCommitRequest.PartitionData p : topic.partitions())
            {
                final Errors error = errors == null ? all
                    : errors.getOrDefault(new TopicPartition(topic.name(), p.partition()), all);
                partitions.add(new PartitionErrorsResponse.PartitionError(p.partition(), error.code()));
            }
            topics.add(new PartitionErrorsResponse.TopicData(topic.name(), partitions));
        }
        return new PartitionErrorsResponse(all.code(), topics);
    }
}
