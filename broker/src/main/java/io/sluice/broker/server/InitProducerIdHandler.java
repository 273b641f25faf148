package io.sluice.broker.server;

import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.broker.producer.ProducerIdManager;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.InitProducerIdRequest;
import io.sluice.common.protocol.message.InitProducerIdResponse;

/**
 * Gives an idempotent producer its id and epoch. A producer that already has an id asks again to bump its epoch
 * (after a fatal sequence error); when the epoch would overflow it gets a new id.
 */
public final class InitProducerIdHandler implements RequestHandler
{
    private final ProducerIdManager ids;

    public InitProducerIdHandler(final ProducerIdManager ids)
    {
        this.ids = ids;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final InitProducerIdRequest request = InitProducerIdRequest.read(body);
        body.ensureFullyRead("InitProducerId request");
        if (request.transactionalId() != null)
        {
            context.respond(new InitProducerIdResponse(Errors.INVALID_REQUEST.code(), -1L, (short)-1));
            return;
        }
        if (request.producerId() >= 0 && request.producerEpoch() >= 0 && request.producerEpoch() < Short.MAX_VALUE - 1)
        {
            context.respond(new InitProducerIdResponse(Errors.NONE.code(), request.producerId(),
                (short)(request.producerEpoch() + 1)));
            return;
        }
        try
        {
            context.respond(new InitProducerIdResponse(Errors.NONE.code(), ids.nextProducerId(), (short)0));
        }
        catch (final ApiException e)
        {
            // No block of ids could be reserved (the metadata quorum did not answer): the client retries.
            context.respond(new InitProducerIdResponse(e.code(), -1L, (short)-1));
        }
    }
}
