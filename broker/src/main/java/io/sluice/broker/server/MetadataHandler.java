package io.sluice.broker.server;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.MetadataStore;
import io.sluice.broker.metadata.PartitionImage;
import io.sluice.broker.metadata.TopicImage;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.common.TopicNames;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.MetadataRequest;
import io.sluice.common.protocol.message.MetadataResponse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Answers with brokers and topic partitions from the current metadata image, creating requested topics first when
 * {@code auto.create.topics.enable} and the client allows it.
 */
public final class MetadataHandler implements RequestHandler
{
    private final BrokerConfig config;
    private final MetadataStore metadata;
    private final TopicCreator creator;

    public MetadataHandler(final BrokerConfig config, final MetadataStore metadata, final TopicCreator creator)
    {
        this.config = config;
        this.metadata = metadata;
        this.creator = creator;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final MetadataRequest request = MetadataRequest.read(body);
        body.ensureFullyRead("Metadata request");
        final List<MetadataResponse.Topic> errors = new ArrayList<>();
        if (request.topics() != null && request.allowAutoTopicCreation() && config.autoCreateTopicsEnable())
        {
            for (final String name : request.topics())
            {
                if (metadata.image().topic(name) == null)
                {
                    try
                    {
                        creator.create(name, -1, -1, Map.of(), false);
                    }
                    catch (final ApiException e)
                    {
                        if (e.code() != Errors.TOPIC_ALREADY_EXISTS.code())
                        {
                            errors.add(new MetadataResponse.Topic(e.code(), name, false, List.of()));
                        }
                    }
                }
            }
        }
        final MetadataImage image = metadata.image();
        final List<MetadataResponse.Broker> brokers = new ArrayList<>();
        for (final BrokerRegistration broker : image.brokers().values())
        {
            brokers.add(new MetadataResponse.Broker(broker.id(), broker.host(), broker.port(), null));
        }
        final Collection<String> names = request.topics() == null ? image.topics().keySet() : request.topics();
        final List<MetadataResponse.Topic> topics = new ArrayList<>();
        for (final String name : names)
        {
            if (errors.stream().anyMatch(t -> t.name().equals(name)))
            {
                continue;
            }
            final TopicImage topic = image.topic(name);
            if (topic == null)
            {
                topics.add(new MetadataResponse.Topic(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), name, false,
                    List.of()));
                continue;
            }
            final List<MetadataResponse.Partition> partitions = new ArrayList<>(topic.partitionCount());
            for (final PartitionImage p : topic.partitions())
            {
                final short error = image.brokers().containsKey(p.leader()) ? Errors.NONE.code()
                    : Errors.LEADER_NOT_AVAILABLE.code();
                partitions.add(new MetadataResponse.Partition(error, p.partition(), p.leader(), p.leaderEpoch(),
                    p.replicas(), p.isr()));
            }
            topics.add(new MetadataResponse.Topic(Errors.NONE.code(), name, TopicNames.isInternal(name),
                partitions));
        }
        topics.addAll(errors);
        context.respond(new MetadataResponse(Errors.NONE.code(), brokers, image.clusterId(), image.controllerId(),
            topics));
    }
}
