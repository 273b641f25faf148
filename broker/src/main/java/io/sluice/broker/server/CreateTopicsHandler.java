package io.sluice.broker.server;

import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.CreateTopicsRequest;
import io.sluice.common.protocol.message.TopicResultsResponse;

import java.util.ArrayList;
import java.util.List;

/** Creates topics, answering with one result per topic. */
public final class CreateTopicsHandler implements RequestHandler
{
    private final TopicCreator creator;

    public CreateTopicsHandler(final TopicCreator creator)
    {
        this.creator = creator;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final CreateTopicsRequest request = CreateTopicsRequest.read(body);
        body.ensureFullyRead("CreateTopics request");
        final List<TopicResultsResponse.TopicResult> results = new ArrayList<>();
        for (final CreateTopicsRequest.Topic topic : request.topics())
        {
            try
            {
                creator.create(topic.name(), topic.numPartitions(), topic.replicationFactor(), topic.configs(),
                    request.validateOnly());
                results.add(new TopicResultsResponse.TopicResult(topic.name(), Errors.NONE.code(), null));
            }
            catch (final ApiException e)
            {
                results.add(new TopicResultsResponse.TopicResult(topic.name(), e.code(), e.getMessage()));
            }
        }
        context.respond(new TopicResultsResponse(Errors.NONE.code(), results));
    }
}
