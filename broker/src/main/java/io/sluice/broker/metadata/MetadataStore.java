package io.sluice.broker.metadata;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Where cluster metadata lives and how it changes. Handlers read {@link #image()}; changes are proposed and, once
 * committed, published as a new image to every listener in order. A single broker uses
 * the Raft quorum of {@code controller.quorum.voters} behind this interface, a single broker as a one-voter quorum.
 */
public interface MetadataStore extends AutoCloseable
{
    /** Producer ids a broker reserves at a time. */
    long PRODUCER_ID_BLOCK_SIZE = 1000;

    MetadataImage image();

    /** Registers a listener that sees every new image, starting with the current one. */
    void addListener(Consumer<MetadataImage> listener);

    /**
     * Creates a topic placed on live brokers.
     *
     * @throws io.sluice.common.errors.ApiException with TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
     *                                              INVALID_REPLICATION_FACTOR or INVALID_CONFIG.
     */
    TopicImage createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs);

    /** Registers a broker, or updates its endpoint after a restart. */
    void registerBroker(BrokerRegistration broker);

    /**
     * As the partition's leader at {@code leaderEpoch}, proposes a new ISR; completes once committed (or fails if the
     * epoch is stale). Never blocks the caller.
     */
    java.util.concurrent.CompletableFuture<Void> changeIsr(io.sluice.common.TopicPartition tp, int leaderEpoch,
        java.util.List<Integer> isr);

    /**
     * Whether this broker's session with the quorum is known to be alive: its last acknowledged heartbeat was sent
     * less than {@code broker.session.timeout.ms} ago, so the controller cannot have fenced it and handed its
     * partitions to others. A leader without it refuses writes, which keeps a paused and replaced leader from
     * accepting any.
     */
    boolean holdsSession();

    /**
     * Reserves the next {@link #PRODUCER_ID_BLOCK_SIZE} producer ids for this broker, from no lower than
     * {@code atLeast}; returns the first.
     */
    long allocateProducerIdBlock(long atLeast);

    /** Deletes a topic; returns false if it did not exist. */
    boolean deleteTopic(String name);

    @Override
    void close();
}
