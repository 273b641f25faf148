package io.sluice.broker.server;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.metadata.MetadataStore;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.DeleteTopicsRequest;
import io.sluice.common.protocol.message.TopicResultsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** Deletes topics; the partitions' files are removed in the background. */
public final class DeleteTopicsHandler implements RequestHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(DeleteTopicsHandler.class);

    private final BrokerConfig config;
    private final MetadataStore metadata;

    public DeleteTopicsHandler(final BrokerConfig config, final MetadataStore metadata)
    {
        this.config = config;
        this.metadata = metadata;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final DeleteTopicsRequest request = DeleteTopicsRequest.read(body);
        body.ensureFullyRead("DeleteTopics request");
        final List<TopicResultsResponse.TopicResult> results = new ArrayList<>();
        for (final String name : request.topics())
        {
            if (io.sluice.broker.group.OffsetsTopic.NAME.equals(name))
            {
                results.add(new TopicResultsResponse.TopicResult(name, Errors.INVALID_TOPIC_EXCEPTION.code(),
                    name + " is internal: it holds every group's committed offsets and cannot be deleted"));
            }
            else if (!config.deleteTopicEnable())
            {
                results.add(new TopicResultsResponse.TopicResult(name, Errors.TOPIC_DELETION_DISABLED.code(),
                    "delete.topic.enable is false on this broker"));
            }
            else if (metadata.deleteTopic(name))
            {
                LOG.info("Deleted topic {}", name);
                results.add(new TopicResultsResponse.TopicResult(name, Errors.NONE.code(), null));
            }
            else
            {
                results.add(new TopicResultsResponse.TopicResult(name, Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                    "Topic '" + name + "' does not exist"));
            }
        }
        context.respond(new TopicResultsResponse(Errors.NONE.code(), results));
    }
}
