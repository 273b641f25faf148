package io.sluice.broker.metadata.quorum;

import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.PartitionImage;
import io.sluice.broker.metadata.TopicImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The duties of the Raft leader, run on a timer by every voter and acted on only by the one that leads: fence
 * brokers whose session expired, elect leaders for leaderless partitions when unclean election is allowed, and move
 * leadership back to preferred replicas (the first of each partition's replicas) when a broker leads too few of its
 * own. Every decision is proposed as a command, so the state machine re-checks it against the committed state.
 */
final class ActiveController
{
    private static final Logger LOG = LoggerFactory.getLogger(ActiveController.class);

    private final int nodeId;
    private final ControllerConfig config;
    private final long heartbeatGraceMs;
    private final MetadataStateMachine stateMachine;
    private final BooleanSupplier isRaftLeader;
    private final Consumer<MetadataCommand> propose;
    private boolean wasLeader;
    private long nextImbalanceCheckNanos;
    private long lastTickNanos;

    /**
     * @param heartbeatGraceMs how soon after a Raft election a live broker's heartbeat is committed: it retries
     *                         on the new leader after its request timeout, then heartbeats within an interval.
     */
    ActiveController(final int nodeId, final ControllerConfig config, final long heartbeatGraceMs,
        final MetadataStateMachine stateMachine, final BooleanSupplier isRaftLeader,
        final Consumer<MetadataCommand> propose)
    {
        this.nodeId = nodeId;
        this.config = config;
        this.heartbeatGraceMs = heartbeatGraceMs;
        this.stateMachine = stateMachine;
        this.isRaftLeader = isRaftLeader;
        this.propose = propose;
    }

    void tick()
    {
        final long now = System.nanoTime();
        final long sessionNanos = TimeUnit.MILLISECONDS.toNanos(config.sessionTimeoutMs());
        if (lastTickNanos != 0 && now - lastTickNanos > sessionNanos / 2)
        {
            // This process did not run for a while (SIGSTOP, a long GC pause, a stalled VM): it could not apply
            // heartbeats either, so their age says nothing about the brokers. Give every broker a fresh session
            // rather than fence them all, this one included.
            LOG.warn("Broker {} did not run for {} ms: restarting every broker's session", nodeId,
                TimeUnit.NANOSECONDS.toMillis(now - lastTickNanos));
            stateMachine.renewSessionsFrom(now);
        }
        lastTickNanos = now;
        try
        {
            act();
        }
        finally
        {
            // A slow proposal here is not a pause of the process.
            lastTickNanos = System.nanoTime();
        }
    }

    private void act()
    {
        final boolean leader = isRaftLeader.getAsBoolean();
        if (leader && !wasLeader)
        {
            // No heartbeat could be committed while there was no Raft leader, so every broker gets the time a live
            // one needs to reach this leader before it may be fenced. Not a whole new session: a broker that died
            // with the old controller is still fenced about a session timeout after its last heartbeat.
            final long now = System.nanoTime();
            stateMachine.renewSessionsFrom(now - TimeUnit.MILLISECONDS.toNanos(Math.max(0,
                config.sessionTimeoutMs() - heartbeatGraceMs)));
            LOG.info("Broker {} is the active controller", nodeId);
            nextImbalanceCheckNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                config.leaderImbalanceCheckIntervalMs());
        }
        wasLeader = leader;
        if (!leader)
        {
            return;
        }
        for (final int broker : stateMachine.expiredBrokers(TimeUnit.MILLISECONDS.toNanos(config.sessionTimeoutMs())))
        {
            LOG.warn("Fencing broker {}: no heartbeat for {} ms", broker, config.sessionTimeoutMs());
            propose.accept(new MetadataCommand.FenceBroker(broker));
        }
        final List<MetadataCommand.Election> unclean = uncleanElections(stateMachine.image(),
            config.uncleanLeaderElection());
        if (!unclean.isEmpty())
        {
            propose.accept(new MetadataCommand.ElectLeaders(unclean));
        }
        if (config.autoLeaderRebalance() && System.nanoTime() - nextImbalanceCheckNanos >= 0)
        {
            nextImbalanceCheckNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                config.leaderImbalanceCheckIntervalMs());
            final List<MetadataCommand.Election> preferred = preferredElections(stateMachine.image(),
                config.leaderImbalancePerBrokerPercent());
            if (!preferred.isEmpty())
            {
                LOG.info("Moving leadership of {} partition(s) back to their preferred replicas", preferred.size());
                propose.accept(new MetadataCommand.ElectLeaders(preferred));
            }
        }
    }

    /**
     * Leaderless partitions that a live replica outside the ISR could lead, of topics whose
     * unclean.leader.election.enable (or the broker's, {@code brokerDefault}) allows it.
     */
    static List<MetadataCommand.Election> uncleanElections(final MetadataImage image, final boolean brokerDefault)
    {
        final List<MetadataCommand.Election> elections = new ArrayList<>();
        for (final TopicImage topic : image.topics().values())
        {
            if (!io.sluice.broker.config.TopicReplicationConfig.uncleanLeaderElection(topic.configs(),
                brokerDefault))
            {
                continue;
            }
            for (final PartitionImage p : topic.partitions())
            {
                if (p.leader() >= 0)
                {
                    continue;
                }
                for (final int replica : p.replicas())
                {
                    if (image.brokers().containsKey(replica))
                    {
                        elections.add(new MetadataCommand.Election(topic.name(), p.partition(), p.leaderEpoch(),
                            replica, true));
                        break;
                    }
                }
            }
        }
        return elections;
    }

    /**
     * For each live broker whose share of partitions it prefers but does not lead is above
     * {@code imbalancePercent}: hand it back those where it is in the ISR.
     */
    static List<MetadataCommand.Election> preferredElections(final MetadataImage image, final int imbalancePercent)
    {
        final Map<Integer, Integer> preferredCount = new HashMap<>();
        final Map<Integer, List<MetadataCommand.Election>> movable = new HashMap<>();
        final Map<Integer, Integer> notLeading = new HashMap<>();
        for (final TopicImage topic : image.topics().values())
        {
            for (final PartitionImage p : topic.partitions())
            {
                final int preferred = p.replicas().get(0);
                preferredCount.merge(preferred, 1, Integer::sum);
                if (p.leader() == preferred)
                {
                    continue;
                }
                notLeading.merge(preferred, 1, Integer::sum);
                if (image.brokers().containsKey(preferred) && p.isr().contains(preferred))
                {
                    movable.computeIfAbsent(preferred, b -> new ArrayList<>()).add(new MetadataCommand.Election(
                        topic.name(), p.partition(), p.leaderEpoch(), preferred, false));
                }
            }
        }
        final List<MetadataCommand.Election> elections = new ArrayList<>();
        movable.forEach((broker, list) ->
        {
            if (notLeading.get(broker) * 100L > (long)imbalancePercent * preferredCount.get(broker))
            {
                elections.addAll(list);
            }
        });
        return elections;
    }
}
