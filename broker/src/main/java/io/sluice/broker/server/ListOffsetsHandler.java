package io.sluice.broker.server;

import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.ReplicaManager;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.ListOffsetsRequest;
import io.sluice.common.protocol.message.ListOffsetsResponse;
import io.sluice.storage.segment.TimestampAndOffset;

import java.util.ArrayList;
import java.util.List;

/** Finds offsets: the earliest, the latest (the high watermark, for consumers) or the first at a timestamp. */
public final class ListOffsetsHandler implements RequestHandler
{
    private final ReplicaManager replicas;

    public ListOffsetsHandler(final ReplicaManager replicas)
    {
        this.replicas = replicas;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final ListOffsetsRequest request = ListOffsetsRequest.read(body);
        body.ensureFullyRead("ListOffsets request");
        final List<ListOffsetsResponse.TopicData> topics = new ArrayList<>();
        for (final ListOffsetsRequest.TopicData topic : request.topics())
        {
            final List<ListOffsetsResponse.PartitionData> partitions = new ArrayList<>();
            for (final ListOffsetsRequest.PartitionData p : topic.partitions())
            {
                partitions.add(lookup(new TopicPartition(topic.name(), p.partition()), p));
            }
            topics.add(new ListOffsetsResponse.TopicData(topic.name(), partitions));
        }
        context.respond(new ListOffsetsResponse(Errors.NONE.code(), topics));
    }

    private ListOffsetsResponse.PartitionData lookup(final TopicPartition tp,
        final ListOffsetsRequest.PartitionData p)
    {
        try
        {
            final Partition partition = replicas.leaderPartition(tp);
            partition.checkLeaderEpoch(p.currentLeaderEpoch());
            final int epoch = partition.leaderEpoch();
            if (p.timestamp() == ListOffsetsRequest.EARLIEST_TIMESTAMP)
            {
                return new ListOffsetsResponse.PartitionData(tp.partition(), Errors.NONE.code(), -1L,
                    partition.log().logStartOffset(), epoch);
            }
            final long end = partition.endForClients();
            if (p.timestamp() == ListOffsetsRequest.LATEST_TIMESTAMP)
            {
                return new ListOffsetsResponse.PartitionData(tp.partition(), Errors.NONE.code(), -1L, end, epoch);
            }
            final TimestampAndOffset found = partition.log().offsetForTimestamp(p.timestamp());
            if (found == null || found.offset >= end)
            {
                return new ListOffsetsResponse.PartitionData(tp.partition(), Errors.NONE.code(), -1L, -1L, epoch);
            }
            return new ListOffsetsResponse.PartitionData(tp.partition(), Errors.NONE.code(), found.timestamp,
                found.offset, epoch);
        }
        catch (final SluiceException e)
        {
            return new ListOffsetsResponse.PartitionData(tp.partition(), Errors.forException(e).code(), -1L, -1L,
                -1);
        }
    }
}
