package io.sluice.broker.server;

import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.ReplicaManager;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.OffsetsForLeaderEpochRequest;
import io.sluice.common.protocol.message.OffsetsForLeaderEpochResponse;
import io.sluice.storage.epoch.EpochEntry;

import java.util.ArrayList;
import java.util.List;

/** As leader, tells a replica where an epoch ends in this log, so it can cut its own log back to where they agree. */
public final class OffsetsForLeaderEpochHandler implements RequestHandler
{
    private final ReplicaManager replicas;

    public OffsetsForLeaderEpochHandler(final ReplicaManager replicas)
    {
        this.replicas = replicas;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final OffsetsForLeaderEpochRequest request = OffsetsForLeaderEpochRequest.read(body);
        body.ensureFullyRead("OffsetsForLeaderEpoch request");
        final List<OffsetsForLeaderEpochResponse.TopicData> topics = new ArrayList<>(request.topics().size());
        for (final OffsetsForLeaderEpochRequest.TopicData topic : request.topics())
        {
            final List<OffsetsForLeaderEpochResponse.PartitionData> partitions = new ArrayList<>();
            for (final OffsetsForLeaderEpochRequest.PartitionData p : topic.partitions())
            {
                partitions.add(endOffset(new TopicPartition(topic.name(), p.partition()), p));
            }
            topics.add(new OffsetsForLeaderEpochResponse.TopicData(topic.name(), partitions));
        }
        context.respond(new OffsetsForLeaderEpochResponse(topics));
    }

    private OffsetsForLeaderEpochResponse.PartitionData endOffset(final TopicPartition tp,
        final OffsetsForLeaderEpochRequest.PartitionData p)
    {
        try
        {
            final Partition partition = replicas.leaderPartition(tp);
            partition.checkLeaderEpoch(p.currentLeaderEpoch());
            final EpochEntry end = partition.log().endOffsetForEpoch(p.leaderEpoch());
            return new OffsetsForLeaderEpochResponse.PartitionData(tp.partition(), Errors.NONE.code(), end.epoch,
                end.startOffset);
        }
        catch (final SluiceException e)
        {
            return new OffsetsForLeaderEpochResponse.PartitionData(tp.partition(), Errors.forException(e).code(),
                -1, -1L);
        }
    }
}
