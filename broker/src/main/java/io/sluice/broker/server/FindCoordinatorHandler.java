package io.sluice.broker.server;

import io.sluice.broker.group.GroupCoordinator;
import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.FindCoordinatorRequest;
import io.sluice.common.protocol.message.FindCoordinatorResponse;

/** FindCoordinator: which broker coordinates a group (creating {@code __consumer_offsets} on first use). */
public final class FindCoordinatorHandler implements RequestHandler
{
    private final GroupCoordinator coordinator;

    public FindCoordinatorHandler(final GroupCoordinator coordinator)
    {
        this.coordinator = coordinator;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final FindCoordinatorRequest request = FindCoordinatorRequest.read(body);
        body.ensureFullyRead("FindCoordinator request");
        if (request.keyType() != FindCoordinatorRequest.GROUP)
        {
            context.respond(new FindCoordinatorResponse(Errors.INVALID_REQUEST.code(), "Only group coordinators "
                + "(key type 0) exist, got key type " + request.keyType(), -1, null, -1));
            return;
        }
        try
        {
            final BrokerRegistration broker = coordinator.findCoordinator(request.key());
            context.respond(new FindCoordinatorResponse(Errors.NONE.code(), null, broker.id(), broker.host(),
                broker.port()));
        }
        catch (final SluiceException e)
        {
            context.respond(new FindCoordinatorResponse(Errors.forException(e).code(), e.getMessage(), -1, null,
                -1));
        }
    }
}
