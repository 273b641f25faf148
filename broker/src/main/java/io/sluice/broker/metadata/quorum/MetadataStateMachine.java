package io.sluice.broker.metadata.quorum;

import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.PartitionImage;
import io.sluice.broker.metadata.TopicImage;
import io.sluice.common.protocol.Errors;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The cluster metadata as a Raft state machine: every voter applies the committed commands in log order to an
 * immutable {@link MetadataImage} whose version is the log index, and publishes each new image to its listeners.
 * Replica placement happens here, deterministically, so all voters agree on it. Snapshots hold a whole image, so
 * the Raft log can be purged behind them.
 */
final class MetadataStateMachine extends BaseStateMachine
{
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final String clusterId;
    private final int controllerIdHint;
    private final List<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    private final Object appliedLock = new Object();
    private volatile MetadataImage image;
    /** The version every listener has seen; guarded by appliedLock. */
    private long appliedVersion;
    /** Every registered broker, fenced or not; the image lists the unfenced ones. */
    private final Map<Integer, BrokerRegistration> registrations = new HashMap<>();
    private final java.util.Set<Integer> fenced = new java.util.HashSet<>();
    /** The first producer id no broker has reserved yet; ids are unique across the cluster. */
    private long nextProducerId;
    /** When this voter applied each broker's last heartbeat (its own clock): only the active controller reads it. */
    private final Map<Integer, Long> lastHeartbeatNanos = new java.util.concurrent.ConcurrentHashMap<>();

    MetadataStateMachine(final String clusterId, final int controllerIdHint)
    {
        this.clusterId = clusterId;
        this.controllerIdHint = controllerIdHint;
        this.image = new MetadataImage(0, clusterId, controllerIdHint, Map.of(), Map.of());
    }

    MetadataImage image()
    {
        return image;
    }

    void addListener(final Consumer<MetadataImage> listener)
    {
        listeners.add(listener);
    }

    /** Waits until the command at {@code index} has been applied here; false on timeout. */
    boolean awaitApplied(final long index, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (appliedLock)
        {
            while (appliedVersion < index)
            {
                final long left = deadline - System.currentTimeMillis();
                if (left <= 0)
                {
                    return false;
                }
                appliedLock.wait(left);
            }
        }
        return true;
    }

    @Override
    public void initialize(final RaftServer server, final RaftGroupId groupId, final RaftStorage raftStorage)
        throws IOException
    {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        reinitialize();
    }

    /** Ratis learns the latest snapshot from here, and replays only the log after it. */
    @Override
    public SimpleStateMachineStorage getStateMachineStorage()
    {
        return storage;
    }

    @Override
    public void reinitialize() throws IOException
    {
        final SingleFileSnapshotInfo snapshot = storage.getLatestSnapshot();
        if (snapshot == null || !Files.exists(snapshot.getFile().getPath()))
        {
            return;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(
            Files.newInputStream(snapshot.getFile().getPath()))))
        {
            final MetadataCodec.Snapshot loadedSnapshot = MetadataCodec.readSnapshot(in, controllerIdHint);
            final MetadataImage loaded = loadedSnapshot.image();
            nextProducerId = loadedSnapshot.nextProducerId();
            registrations.clear();
            registrations.putAll(loaded.brokers());
            fenced.clear();
            publish(loaded, true);
        }
        updateLastAppliedTermIndex(snapshot.getTermIndex());
        LOG.info("Loaded the metadata snapshot at index {}: {} broker(s), {} topic(s)",
            snapshot.getIndex(), image.brokers().size(), image.topics().size());
    }

    @Override
    public long takeSnapshot() throws IOException
    {
        final MetadataImage current = image;
        final TermIndex applied = getLastAppliedTermIndex();
        if (applied == null || applied.getIndex() <= 0)
        {
            return -1;
        }
        final File file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex());
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
            Files.newOutputStream(file.toPath()))))
        {
            MetadataCodec.writeSnapshot(out, current, nextProducerId);
        }
        final FileInfo info = new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file));
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, applied));
        return applied.getIndex();
    }

    /**
     * Raft's own entries (a new leader's first entry, configuration changes) never reach applyTransaction, yet a
     * commit reply can name their index: the image version follows them too, or a proposer would wait forever.
     */
    @Override
    public void notifyTermIndexUpdated(final long term, final long index)
    {
        super.notifyTermIndexUpdated(term, index);
        if (index > image.version())
        {
            publish(withVersion(image, index), false);
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(final TransactionContext trx)
    {
        final LogEntryProto entry = trx.getLogEntry();
        final TermIndex termIndex = TermIndex.valueOf(entry);
        Result result;
        try
        {
            final MetadataCommand command = MetadataCommand.decode(
                entry.getStateMachineLogEntry().getLogData().toByteArray());
            result = apply(command, termIndex.getIndex());
        }
        catch (final IOException e)
        {
            // A command this version cannot read: skip it rather than stall every later change.
            LOG.error("Skipping unreadable metadata command at {}: {}", termIndex, e.getMessage());
            result = new Result(Errors.INVALID_REQUEST, e.getMessage(), image);
        }
        updateLastAppliedTermIndex(termIndex);
        final boolean changed = result.image != image;
        // Every entry moves the version (callers wait for it); listeners hear only of real changes.
        publish(result.image.version() == termIndex.getIndex() ? result.image : withVersion(result.image,
            termIndex.getIndex()), changed);
        return CompletableFuture.completedFuture(Message.valueOf(encodeResult(result)));
    }

    private record Result(Errors error, String message, MetadataImage image)
    {
    }

    private MetadataImage withVersion(final MetadataImage from, final long version)
    {
        return new MetadataImage(version, clusterId, controllerIdHint, from.brokers(), from.topics());
    }

    private Result apply(final MetadataCommand command, final long version)
    {
        final MetadataImage current = image;
        if (command instanceof MetadataCommand.RegisterBroker r)
        {
            registrations.put(r.broker().id(), r.broker());
            lastHeartbeatNanos.put(r.broker().id(), System.nanoTime());
            fenced.remove(r.broker().id());
            return ok(new MetadataImage(version, clusterId, controllerIdHint, liveBrokers(),
                leadLeaderless(current.topics(), r.broker().id())));
        }
        if (command instanceof MetadataCommand.BrokerHeartbeat h)
        {
            if (!registrations.containsKey(h.brokerId()))
            {
                return new Result(Errors.INVALID_REQUEST, "Broker " + h.brokerId() + " is not registered", current);
            }
            lastHeartbeatNanos.put(h.brokerId(), System.nanoTime());
            if (!fenced.remove(h.brokerId()))
            {
                return new Result(Errors.NONE, null, current);
            }
            LOG.info("Broker {} is back: unfenced", h.brokerId());
            return ok(new MetadataImage(version, clusterId, controllerIdHint, liveBrokers(),
                leadLeaderless(current.topics(), h.brokerId())));
        }
        if (command instanceof MetadataCommand.ChangeIsr c)
        {
            final PartitionImage p = current.partition(c.topic(), c.partition());
            if (p == null)
            {
                return new Result(Errors.UNKNOWN_TOPIC_OR_PARTITION, c.topic() + "-" + c.partition(), current);
            }
            if (p.leaderEpoch() != c.leaderEpoch() || !c.isr().contains(p.leader())
                || !p.replicas().containsAll(c.isr()))
            {
                return new Result(Errors.FENCED_LEADER_EPOCH, "ISR change for " + c.topic() + "-" + c.partition()
                    + " at epoch " + c.leaderEpoch() + " refused (epoch " + p.leaderEpoch() + ", leader "
                    + p.leader() + ")", current);
            }
            final List<Integer> isr = new ArrayList<>();
            for (final int replica : c.isr())
            {
                if (!fenced.contains(replica))
                {
                    isr.add(replica);
                }
            }
            final TopicImage topic = current.topic(c.topic());
            final List<PartitionImage> partitions = new ArrayList<>(topic.partitions());
            partitions.set(c.partition(), new PartitionImage(p.partition(), p.replicas(), p.leader(), p.leaderEpoch(),
                List.copyOf(isr)));
            final Map<String, TopicImage> topics = new HashMap<>(current.topics());
            topics.put(c.topic(), new TopicImage(c.topic(), topic.configs(), List.copyOf(partitions)));
            LOG.info("ISR of {}-{} is now {}", c.topic(), c.partition(), isr);
            return ok(new MetadataImage(version, clusterId, controllerIdHint, current.brokers(), topics));
        }
        if (command instanceof MetadataCommand.FenceBroker f)
        {
            if (!registrations.containsKey(f.brokerId()) || !fenced.add(f.brokerId()))
            {
                return new Result(Errors.NONE, null, current);
            }
            LOG.warn("Broker {} fenced: no heartbeat within the session timeout", f.brokerId());
            return ok(new MetadataImage(version, clusterId, controllerIdHint, liveBrokers(),
                withoutBroker(current.topics(), f.brokerId())));
        }
        if (command instanceof MetadataCommand.AllocateProducerIds a)
        {
            final long start = Math.max(nextProducerId, a.atLeast());
            nextProducerId = start + io.sluice.broker.metadata.MetadataStore.PRODUCER_ID_BLOCK_SIZE;
            return new Result(Errors.NONE, Long.toString(start), current);
        }
        if (command instanceof MetadataCommand.ElectLeaders e)
        {
            return electLeaders(current, e, version);
        }
        if (command instanceof MetadataCommand.DeleteTopic d)
        {
            if (current.topic(d.name()) == null)
            {
                return new Result(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + d.name() + "' does not exist",
                    current);
            }
            final Map<String, TopicImage> topics = new HashMap<>(current.topics());
            topics.remove(d.name());
            return ok(new MetadataImage(version, clusterId, controllerIdHint, current.brokers(), topics));
        }
        final MetadataCommand.CreateTopic c = (MetadataCommand.CreateTopic)command;
        if (current.topic(c.name()) != null)
        {
            return new Result(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + c.name() + "' already exists", current);
        }
        if (c.partitions() < 1)
        {
            return new Result(Errors.INVALID_PARTITIONS, "A topic needs at least one partition", current);
        }
        final List<Integer> ids = new ArrayList<>(current.brokers().keySet());
        if (c.replicationFactor() < 1 || c.replicationFactor() > ids.size())
        {
            return new Result(Errors.INVALID_REPLICATION_FACTOR, "Replication factor " + c.replicationFactor()
                + " needs as many brokers; " + ids.size() + " registered", current);
        }
        // Round robin from a start that depends on the name, so leaders spread over the brokers.
        final int start = Math.floorMod(c.name().hashCode(), ids.size());
        final List<PartitionImage> partitions = new ArrayList<>(c.partitions());
        for (int p = 0; p < c.partitions(); p++)
        {
            final List<Integer> replicas = new ArrayList<>(c.replicationFactor());
            for (int r = 0; r < c.replicationFactor(); r++)
            {
                replicas.add(ids.get((start + p + r) % ids.size()));
            }
            partitions.add(new PartitionImage(p, List.copyOf(replicas), replicas.get(0), 0, List.copyOf(replicas)));
        }
        final Map<String, TopicImage> topics = new HashMap<>(current.topics());
        topics.put(c.name(), new TopicImage(c.name(), Map.copyOf(c.configs()), List.copyOf(partitions)));
        return ok(new MetadataImage(version, clusterId, controllerIdHint, current.brokers(), topics));
    }

    /** Applies each election that still holds: same epoch, leader live (and in the ISR unless unclean). */
    private Result electLeaders(final MetadataImage current, final MetadataCommand.ElectLeaders command,
        final long version)
    {
        final Map<String, TopicImage> topics = new HashMap<>(current.topics());
        int applied = 0;
        for (final MetadataCommand.Election e : command.elections())
        {
            final TopicImage topic = topics.get(e.topic());
            if (topic == null || e.partition() < 0 || e.partition() >= topic.partitions().size())
            {
                continue;
            }
            final PartitionImage p = topic.partitions().get(e.partition());
            if (p.leaderEpoch() != e.leaderEpoch() || p.leader() == e.leader() || !p.replicas().contains(e.leader())
                || !registrations.containsKey(e.leader()) || fenced.contains(e.leader())
                || !e.unclean() && !p.isr().contains(e.leader()))
            {
                continue;
            }
            final List<Integer> isr = e.unclean() ? List.of(e.leader()) : p.isr();
            if (e.unclean())
            {
                LOG.warn("Unclean election: broker {} leads {}-{} without being in its ISR {}; records only the "
                    + "old ISR held are lost", e.leader(), e.topic(), e.partition(), p.isr());
            }
            final List<PartitionImage> partitions = new ArrayList<>(topic.partitions());
            partitions.set(e.partition(), new PartitionImage(p.partition(), p.replicas(), e.leader(),
                p.leaderEpoch() + 1, isr));
            topics.put(e.topic(), new TopicImage(topic.name(), topic.configs(), List.copyOf(partitions)));
            applied++;
        }
        if (applied == 0)
        {
            return new Result(Errors.NONE, null, current);
        }
        return ok(new MetadataImage(version, clusterId, controllerIdHint, current.brokers(), topics));
    }

    private Map<Integer, BrokerRegistration> liveBrokers()
    {
        final Map<Integer, BrokerRegistration> live = new HashMap<>(registrations);
        live.keySet().removeAll(fenced);
        return live;
    }

    /**
     * A fenced broker leads nothing and leaves every ISR: its partitions get the next in-sync replica that is not
     * fenced as leader (a new leader epoch); a partition with none stays leaderless (-1) rather than elect a replica
     * that may lack acknowledged records.
     */
    private Map<String, TopicImage> withoutBroker(final Map<String, TopicImage> topics, final int broker)
    {
        final Map<String, TopicImage> result = new HashMap<>();
        for (final TopicImage topic : topics.values())
        {
            final List<PartitionImage> partitions = new ArrayList<>(topic.partitions().size());
            for (final PartitionImage p : topic.partitions())
            {
                if (!p.isr().contains(broker) && p.leader() != broker)
                {
                    partitions.add(p);
                    continue;
                }
                final List<Integer> isr = new ArrayList<>(p.isr());
                isr.remove(Integer.valueOf(broker));
                if (p.leader() != broker)
                {
                    partitions.add(new PartitionImage(p.partition(), p.replicas(), p.leader(), p.leaderEpoch(),
                        List.copyOf(isr)));
                    continue;
                }
                int leader = -1;
                for (final int candidate : isr)
                {
                    if (!fenced.contains(candidate))
                    {
                        leader = candidate;
                        break;
                    }
                }
                // With no other in-sync replica the fenced one stays the ISR: it alone has every record.
                partitions.add(new PartitionImage(p.partition(), p.replicas(), leader, p.leaderEpoch() + 1,
                    leader < 0 ? p.isr() : List.copyOf(isr)));
            }
            result.put(topic.name(), new TopicImage(topic.name(), topic.configs(), List.copyOf(partitions)));
        }
        return result;
    }

    /** A returning broker leads the leaderless partitions whose ISR it is in. */
    private static Map<String, TopicImage> leadLeaderless(final Map<String, TopicImage> topics, final int broker)
    {
        final Map<String, TopicImage> result = new HashMap<>();
        for (final TopicImage topic : topics.values())
        {
            final List<PartitionImage> partitions = new ArrayList<>(topic.partitions().size());
            for (final PartitionImage p : topic.partitions())
            {
                partitions.add(p.leader() < 0 && p.isr().contains(broker) ? new PartitionImage(p.partition(),
                    p.replicas(), broker, p.leaderEpoch() + 1, p.isr()) : p);
            }
            result.put(topic.name(), new TopicImage(topic.name(), topic.configs(), List.copyOf(partitions)));
        }
        return result;
    }

    /**
     * Counts every broker's last heartbeat as no older than {@code floorNanos}: heartbeats could not be applied
     * for a while (no Raft leader, or this process did not run), so their age says less than it seems.
     */
    void renewSessionsFrom(final long floorNanos)
    {
        lastHeartbeatNanos.replaceAll((id, last) -> last - floorNanos < 0 ? floorNanos : last);
    }

    /** The brokers whose last heartbeat this voter applied more than {@code timeoutNanos} ago. */
    List<Integer> expiredBrokers(final long timeoutNanos)
    {
        final long now = System.nanoTime();
        final List<Integer> expired = new ArrayList<>();
        for (final Integer id : image.brokers().keySet())
        {
            final Long last = lastHeartbeatNanos.putIfAbsent(id, now);
            if (last != null && now - last > timeoutNanos)
            {
                expired.add(id);
            }
        }
        return expired;
    }

    private static Result ok(final MetadataImage image)
    {
        return new Result(Errors.NONE, null, image);
    }

    /**
     * Listeners hear of an image before a proposer waiting for its version wakes, so a proposer that returns knows
     * this broker already acted on what it proposed (a heartbeat that renews the session also made a fenced leader a
     * follower).
     */
    private void publish(final MetadataImage next, final boolean notifyListeners)
    {
        image = next;
        if (notifyListeners)
        {
            for (final Consumer<MetadataImage> listener : listeners)
            {
                try
                {
                    listener.accept(next);
                }
                catch (final RuntimeException e)
                {
                    LOG.error("A metadata listener failed on version {}", next.version(), e);
                }
            }
        }
        synchronized (appliedLock)
        {
            appliedVersion = Math.max(appliedVersion, next.version());
            appliedLock.notifyAll();
        }
    }

    private static ByteString encodeResult(final Result result)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeShort(result.error.code());
            out.writeUTF(result.message == null ? "" : result.message);
        }
        catch (final IOException e)
        {
            throw new IllegalStateException(e);
        }
        return ByteString.copyFrom(bytes.toByteArray());
    }
}
