package io.sluice.broker.server;

import io.sluice.broker.group.GroupCoordinator;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.ConsumerGroupHeartbeatRequest;
import io.sluice.common.protocol.message.ConsumerGroupHeartbeatResponse;
import io.sluice.common.protocol.message.TopicPartitionsData;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** ConsumerGroupHeartbeat: join, stay in and leave a group, and learn the partitions to own. */
public final class ConsumerGroupHeartbeatHandler implements RequestHandler
{
    private final GroupCoordinator coordinator;

    public ConsumerGroupHeartbeatHandler(final GroupCoordinator coordinator)
    {
        this.coordinator = coordinator;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final ConsumerGroupHeartbeatRequest r = ConsumerGroupHeartbeatRequest.read(body);
        body.ensureFullyRead("ConsumerGroupHeartbeat request");
        try
        {
            if (r.rebalanceTimeoutMs() < 0 && r.memberEpoch() == 0)
            {
                throw new io.sluice.common.errors.ApiException(Errors.INVALID_REQUEST.code(), false,
                    "rebalanceTimeoutMs must not be negative");
            }
            final var result = coordinator.heartbeat(r.groupId(), r.memberId(), r.memberEpoch(),
                r.rebalanceTimeoutMs(), r.subscribedTopicNames(), r.subscribedTopicRegex(),
                TopicPartitionsData.toSet(r.ownedPartitions()), context.header().clientId, host(context));
            context.respond(new ConsumerGroupHeartbeatResponse(Errors.NONE.code(), null, result.memberId(),
                result.memberEpoch(), result.heartbeatIntervalMs(), TopicPartitionsData.of(result.assignment())));
        }
        catch (final SluiceException e)
        {
            context.respond(ConsumerGroupHeartbeatResponse.error(Errors.forException(e).code(), e.getMessage()));
        }
    }

    private static String host(final RequestContext context)
    {
        final SocketAddress address = context.remoteAddress();
        return address instanceof InetSocketAddress ? "/" + ((InetSocketAddress)address).getAddress()
            .getHostAddress() : String.valueOf(address);
    }
}
