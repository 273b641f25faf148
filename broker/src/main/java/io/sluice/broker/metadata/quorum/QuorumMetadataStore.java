package io.sluice.broker.metadata.quorum;

import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.MetadataStore;
import io.sluice.broker.metadata.TopicImage;
import io.sluice.common.errors.ApiException;
import io.sluice.common.errors.ConfigException;
import io.sluice.common.protocol.Errors;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Cluster metadata replicated by Apache Ratis over its Netty transport among the voters of
 * {@code controller.quorum.voters}. A proposal goes to the Raft leader through a client; it is acknowledged once
 * committed and applied here, so the caller reads its own write from {@link #image()}.
 */
public final class QuorumMetadataStore implements MetadataStore
{
    private static final Logger LOG = LoggerFactory.getLogger(QuorumMetadataStore.class);
    /** One Raft group for the metadata of every Sluice cluster; clusters are told apart by their voters. */
    private static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
        "sluice-cluster-metadata".getBytes(StandardCharsets.UTF_8)));

    /** A voter of the quorum as {@code controller.quorum.voters} names it: {@code id@host:port}. */
    public record Voter(int id, String host, int port)
    {
        /**
         * Parses {@code id@host:port,id@host:port,...}.
         *
         * @throws ConfigException naming the entry that does not parse.
         */
        public static List<Voter> parseList(final String voters)
        {
            final List<Voter> result = new ArrayList<>();
            for (final String entry : voters.split(","))
            {
                final String text = entry.trim();
                final int at = text.indexOf('@');
                final int colon = text.lastIndexOf(':');
                try
                {
                    if (at <= 0 || colon <= at + 1)
                    {
                        throw new NumberFormatException();
                    }
                    result.add(new Voter(Integer.parseInt(text.substring(0, at)), text.substring(at + 1, colon),
                        Integer.parseInt(text.substring(colon + 1))));
                }
                catch (final NumberFormatException e)
                {
                    throw new ConfigException("controller.quorum.voters entry '" + text + "' is not id@host:port");
                }
            }
            return result;
        }
    }

    private static final long CLIENT_REQUEST_TIMEOUT_MS = 1_000;

    private final int nodeId;
    private final long timeoutMs;
    private final MetadataStateMachine stateMachine;
    private final RaftServer server;
    private final RaftClient client;
    private final java.util.concurrent.ScheduledExecutorService timer;
    private final long sessionTimeoutMs;
    private final boolean singleVoter;
    private final boolean observer;
    private volatile boolean heartbeating;
    /** When the last heartbeat (or registration) the quorum acknowledged was sent. */
    private volatile long sessionConfirmedNanos;

    /**
     * Starts this broker's voter (if it is one) and a client of the quorum, and waits until the quorum answers.
     *
     * @param voters the quorum; a voter with port 0 listens on an ephemeral port (only for a one-voter quorum).
     */
    public QuorumMetadataStore(final int nodeId, final List<Voter> configured, final Path dir,
        final long timeoutMs) throws IOException
    {
        this(nodeId, configured, dir, timeoutMs, ControllerConfig.defaults(), "127.0.0.1");
    }

    /**
     * @param controller how often this broker heartbeats, and what it does while it is the active controller.
     * @param host       this broker's host: a broker that is not a voter takes the metadata log there, on a port
     *                   of its own kept in {@code quorum.port}.
     */
    public QuorumMetadataStore(final int nodeId, final List<Voter> configured, final Path dir,
        final long timeoutMs, final ControllerConfig controller, final String host) throws IOException
    {
        this.nodeId = nodeId;
        this.timeoutMs = timeoutMs;
        this.sessionTimeoutMs = controller.sessionTimeoutMs();
        Files.createDirectories(dir);
        if (configured.size() > 1 && configured.stream().anyMatch(v -> v.port() == 0))
        {
            throw new ConfigException("controller.quorum.voters needs fixed ports when there are several voters");
        }
        final List<Voter> voters = withConcretePorts(configured, dir);
        final java.util.Optional<Voter> asVoter = voters.stream().filter(v -> v.id() == nodeId).findFirst();
        // A broker outside the voters is a Raft listener: it receives and applies every committed entry, in
        // order, without voting, so it learns each change the way voters do.
        this.observer = asVoter.isEmpty();
        this.singleVoter = voters.size() == 1 && !observer;
        final Voter self = asVoter.isPresent() ? asVoter.get() : concretePort(new Voter(nodeId, host, 0), dir);
        final RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.NETTY);
        NettyConfigKeys.Server.setHost(properties, self.host());
        NettyConfigKeys.Server.setPort(properties, self.port());
        RaftServerConfigKeys.setStorageDir(properties, List.of(dir.toFile()));
        // Ratis elects after 150-300 ms of silence by default; a JVM starting next to two others on two cores
        // pauses longer than that, and leadership then flaps. A second or two is still far below the broker
        // session timeout that decides failover.
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, org.apache.ratis.util.TimeDuration.valueOf(1000,
            java.util.concurrent.TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, org.apache.ratis.util.TimeDuration.valueOf(2000,
            java.util.concurrent.TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(properties, org.apache.ratis.util.TimeDuration.valueOf(3000,
            java.util.concurrent.TimeUnit.MILLISECONDS));
        // Ratis 3.3.0 chains a follower's log appends on one future when this is on: once a single append fails
        // (two connections from the same leader racing, as after a SIGSTOP), every later append fails with that
        // same exception and the follower never applies metadata again. Off, a failed append fails only its own
        // request and the leader resends it.
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(properties, false);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, 10_000);
        this.stateMachine = new MetadataStateMachine(GROUP_ID.getUuid().toString(), nodeId);
        final boolean formatted = Files.exists(dir.resolve(GROUP_ID.getUuid().toString()));
        final RaftGroup serverGroup = observer ? withListener(voters, self) : group(voters);
        this.server = RaftServer.newBuilder()
            .setServerId(peerId(nodeId))
            .setGroup(serverGroup)
            .setProperties(properties)
            .setStateMachine(stateMachine)
            .setOption(formatted ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
            .build();
        server.start();
        final RaftProperties clientProperties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(clientProperties, SupportedRpcType.NETTY);
        // A request to a voter that stopped answering gives up after this and tries the next: a heartbeat reaches a
        // new Raft leader this soon, which bounds how long a new controller waits before it may fence anyone.
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(clientProperties,
            org.apache.ratis.util.TimeDuration.valueOf(CLIENT_REQUEST_TIMEOUT_MS,
                java.util.concurrent.TimeUnit.MILLISECONDS));
        // Retries sleep between attempts (the default spins) and give up after the timeout, so a quorum that lost
        // its majority fails requests rather than hanging them.
        this.client = RaftClient.newBuilder().setProperties(clientProperties).setRaftGroup(group(voters))
            .setRetryPolicy(org.apache.ratis.retry.RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                (int)Math.max(1, timeoutMs / 100), org.apache.ratis.util.TimeDuration.valueOf(100,
                    java.util.concurrent.TimeUnit.MILLISECONDS)))
            .build();
        if (observer)
        {
            joinAsListener(self);
        }
        // Two threads: a heartbeat waiting on a slow quorum must not hold up the controller's duties.
        this.timer = java.util.concurrent.Executors.newScheduledThreadPool(2, r ->
        {
            final Thread thread = new Thread(r, "metadata-controller-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::heartbeat, controller.heartbeatIntervalMs(),
            controller.heartbeatIntervalMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
        final ActiveController active = new ActiveController(nodeId, controller,
            CLIENT_REQUEST_TIMEOUT_MS + controller.heartbeatIntervalMs(), stateMachine, this::isRaftLeader,
            this::propose);
        timer.scheduleWithFixedDelay(() ->
        {
            try
            {
                active.tick();
            }
            catch (final RuntimeException e)
            {
                LOG.warn("Controller check on broker {} failed: {}", nodeId, e.getMessage());
            }
        }, 250, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
        LOG.info("Metadata quorum member {} started ({} voter(s): {}), data in {}", nodeId, voters.size(),
            voters, dir);
    }

    /**
     * Controlled shutdown: stops heartbeating and fences this broker itself, so its partitions get other leaders
     * before it stops; waits until the metadata shows it leads nothing or {@code timeoutMs} passes. Returns whether
     * leadership moved away in time.
     */
    public boolean moveLeadershipAway(final long timeoutMs)
    {
        heartbeating = false;
        try
        {
            propose(new MetadataCommand.FenceBroker(nodeId));
        }
        catch (final RuntimeException e)
        {
            LOG.warn("Controlled shutdown of broker {} could not reach the quorum: {}", nodeId, e.getMessage());
            return false;
        }
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline)
        {
            if (!leadsAnything(image()))
            {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
        }
        return !leadsAnything(image());
    }

    /** Leaderless partitions (no other in-sync replica) do not count: nobody else could take them. */
    private boolean leadsAnything(final MetadataImage image)
    {
        for (final TopicImage topic : image.topics().values())
        {
            for (final io.sluice.broker.metadata.PartitionImage p : topic.partitions())
            {
                if (p.leader() == nodeId)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /** Tells the quorum this broker is alive, once it has registered. */
    private void heartbeat()
    {
        if (!heartbeating)
        {
            return;
        }
        try
        {
            final long sent = System.nanoTime();
            propose(new MetadataCommand.BrokerHeartbeat(nodeId));
            sessionConfirmedNanos = sent;
        }
        catch (final RuntimeException e)
        {
            LOG.warn("Broker {} could not heartbeat to the metadata quorum: {}", nodeId, e.getMessage());
        }
    }

    /** Whether this broker is the active controller (the Raft leader of the metadata quorum). */
    public boolean isActiveController()
    {
        try
        {
            return isRaftLeader();
        }
        catch (final UncheckedIOException e)
        {
            // The group is gone (the server is closing): this broker leads nothing.
            return false;
        }
    }

    private boolean isRaftLeader()
    {
        try
        {
            return server.getDivision(GROUP_ID).getInfo().isLeader();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A one-voter quorum may ask for port 0, and a broker that is not a voter always does: it gets a free port of its
     * own on first start, kept in {@code quorum.port} so every restart listens on the same one (Ratis records each
     * peer's address in its configuration, and nobody could reach ":0").
     */
    private static List<Voter> withConcretePorts(final List<Voter> voters, final Path dir) throws IOException
    {
        final List<Voter> result = new ArrayList<>();
        for (final Voter v : voters)
        {
            result.add(v.port() != 0 ? v : concretePort(v, dir));
        }
        return result;
    }

    /** The port this broker's quorum member listened on before, or a free one, kept in {@code quorum.port}. */
    private static Voter concretePort(final Voter v, final Path dir) throws IOException
    {
        final Path portFile = dir.resolve("quorum.port");
        int port = -1;
        if (Files.exists(portFile))
        {
            try
            {
                port = Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim());
            }
            catch (final NumberFormatException e)
            {
                LOG.warn("Ignoring unreadable {}", portFile);
            }
        }
        if (port <= 0)
        {
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(
                v.host())))
            {
                port = probe.getLocalPort();
            }
            Files.writeString(portFile, Integer.toString(port), StandardCharsets.UTF_8);
        }
        return new Voter(v.id(), v.host(), port);
    }

    /**
     * Asks the quorum to add this broker as a listener (idempotent: a broker already in the configuration is
     * answered at once), retrying until the timeout while the quorum elects or reconfigures.
     */
    private void joinAsListener(final Voter self)
    {
        final org.apache.ratis.protocol.SetConfigurationRequest.Arguments join =
            org.apache.ratis.protocol.SetConfigurationRequest.Arguments.newBuilder()
                .setServersInNewConf(List.of())
                .setListenersInNewConf(List.of(listenerPeer(self)))
                .setMode(org.apache.ratis.protocol.SetConfigurationRequest.Mode.ADD)
                .build();
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String last = "no answer";
        while (System.nanoTime() - deadline < 0)
        {
            try
            {
                final RaftClientReply reply = client.admin().setConfiguration(join);
                if (reply.isSuccess())
                {
                    LOG.info("Broker {} follows the metadata quorum as a listener at {}:{}", nodeId, self.host(),
                        self.port());
                    return;
                }
                last = String.valueOf(reply.getException());
            }
            catch (final IOException e)
            {
                last = e.getMessage();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200));
        }
        throw new ApiException(Errors.REQUEST_TIMED_OUT.code(), true, "Broker " + nodeId + " could not join the "
            + "metadata quorum as a listener within " + timeoutMs + " ms: " + last);
    }

    private static RaftPeer listenerPeer(final Voter self)
    {
        return RaftPeer.newBuilder().setId(peerId(self.id())).setAddress(self.host() + ":" + self.port())
            .setStartupRole(org.apache.ratis.proto.RaftProtos.RaftPeerRole.LISTENER).build();
    }

    private static RaftGroup withListener(final List<Voter> voters, final Voter self)
    {
        final List<RaftPeer> peers = new ArrayList<>(group(voters).getPeers());
        peers.add(listenerPeer(self));
        return RaftGroup.valueOf(GROUP_ID, peers);
    }

    private static RaftPeerId peerId(final int id)
    {
        return RaftPeerId.valueOf("broker-" + id);
    }

    private static RaftGroup group(final List<Voter> voters)
    {
        final List<RaftPeer> peers = new ArrayList<>();
        for (final Voter v : voters)
        {
            peers.add(RaftPeer.newBuilder().setId(peerId(v.id())).setAddress(v.host() + ":" + v.port()).build());
        }
        return RaftGroup.valueOf(GROUP_ID, peers);
    }

    @Override
    public MetadataImage image()
    {
        return stateMachine.image();
    }

    @Override
    public void addListener(final Consumer<MetadataImage> listener)
    {
        stateMachine.addListener(listener);
        listener.accept(stateMachine.image());
    }

    @Override
    public void registerBroker(final BrokerRegistration broker)
    {
        final long sent = System.nanoTime();
        propose(new MetadataCommand.RegisterBroker(broker));
        if (broker.id() == nodeId)
        {
            sessionConfirmedNanos = sent;
            heartbeating = true;
        }
    }

    /**
     * A lone voter is the whole cluster: nobody can replace it. Otherwise the session counts from when the last
     * acknowledged heartbeat was sent, which is before the controller applied it, so it lapses here before the
     * controller could fence this broker.
     */
    @Override
    public boolean holdsSession()
    {
        return singleVoter || heartbeating && System.nanoTime() - sessionConfirmedNanos
            < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(sessionTimeoutMs);
    }

    @Override
    public TopicImage createTopic(final String name, final int partitions, final int replicationFactor,
        final Map<String, String> configs)
    {
        propose(new MetadataCommand.CreateTopic(name, partitions, replicationFactor, configs));
        return image().topic(name);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> changeIsr(final io.sluice.common.TopicPartition tp,
        final int leaderEpoch, final List<Integer> isr)
    {
        final MetadataCommand command = new MetadataCommand.ChangeIsr(tp.topic(), tp.partition(), leaderEpoch, isr);
        return client.async().send(Message.valueOf(ByteString.copyFrom(MetadataCommand.encode(command))))
            .thenApply(reply ->
            {
                final Errors error = checkedResult(reply, command);
                if (error != Errors.NONE)
                {
                    throw new ApiException(error.code(), error.isRetriable(), lastMessage(reply));
                }
                return null;
            });
    }

    @Override
    public long allocateProducerIdBlock(final long atLeast)
    {
        return Long.parseLong(propose(new MetadataCommand.AllocateProducerIds(nodeId, atLeast)));
    }

    @Override
    public boolean deleteTopic(final String name)
    {
        try
        {
            propose(new MetadataCommand.DeleteTopic(name));
            return true;
        }
        catch (final ApiException e)
        {
            if (e.code() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
            {
                return false;
            }
            throw e;
        }
    }

    /**
     * Commits a command and waits until it is applied here; returns the state machine's message.
     *
     * @throws ApiException with the error the state machine answered, or REQUEST_TIMED_OUT if the quorum did not
     *                      commit it in time (no leader reachable).
     */
    private String propose(final MetadataCommand command)
    {
        final RaftClientReply reply = send(command);
        final Errors error = checkedResult(reply, command);
        try
        {
            if (!stateMachine.awaitApplied(reply.getLogIndex(), timeoutMs))
            {
                throw new ApiException(Errors.REQUEST_TIMED_OUT.code(), true, "Broker " + nodeId + " did not apply "
                    + "metadata version " + reply.getLogIndex() + " within " + timeoutMs + " ms");
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new ApiException(Errors.REQUEST_TIMED_OUT.code(), true, "Interrupted waiting for the quorum");
        }
        if (error != Errors.NONE)
        {
            throw new ApiException(error.code(), error.isRetriable(), lastMessage(reply));
        }
        return lastMessage(reply);
    }

    /**
     * Sends a command to the Raft leader. Ratis' blocking client gives up at once when its connection to the peer it
     * took for the leader closes (that voter stopped): such failures are retried here, on the next leader, until
     * the timeout.
     */
    private RaftClientReply send(final MetadataCommand command)
    {
        final Message message = Message.valueOf(ByteString.copyFrom(MetadataCommand.encode(command)));
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            try
            {
                return client.io().send(message);
            }
            catch (final org.apache.ratis.protocol.exceptions.AlreadyClosedException e)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new ApiException(Errors.REQUEST_TIMED_OUT.code(), true, "The metadata quorum did not "
                        + "commit " + command + ": " + e.getMessage());
                }
                LOG.debug("Retrying {} after {}", command, e.getMessage());
                java.util.concurrent.locks.LockSupport.parkNanos(
                    java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100));
            }
            catch (final IOException e)
            {
                throw new ApiException(Errors.REQUEST_TIMED_OUT.code(), true, "The metadata quorum did not commit "
                    + command + ": " + e.getMessage());
            }
        }
    }

    /**
     * The state machine's answer to a committed command.
     *
     * @throws ApiException REQUEST_TIMED_OUT if the quorum did not commit it.
     */
    private static Errors checkedResult(final RaftClientReply reply, final MetadataCommand command)
    {
        if (!reply.isSuccess())
        {
            throw new ApiException(Errors.REQUEST_TIMED_OUT.code(), true, "The metadata quorum did not commit "
                + command + ": " + reply.getException());
        }
        try (DataInputStream in = resultStream(reply))
        {
            return Errors.forCode(in.readShort());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    private static String lastMessage(final RaftClientReply reply)
    {
        try (DataInputStream in = resultStream(reply))
        {
            in.readShort();
            return in.readUTF();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    private static DataInputStream resultStream(final RaftClientReply reply)
    {
        return new DataInputStream(new ByteArrayInputStream(reply.getMessage().getContent().toByteArray()));
    }

    @Override
    public void close()
    {
        timer.shutdownNow();
        // A heartbeat or controller task may be inside a quorum call that ignores the interrupt; closing the client
        // under it made Ratis retry on the closed client without end (hundreds of thousands of "Failed to create
        // proxy" lines in one test run). The quorum client's request timeout bounds the wait.
        try
        {
            if (!timer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS))
            {
                LOG.warn("Metadata quorum member {}: a controller task still runs 5 s after close", nodeId);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        try
        {
            client.close();
        }
        catch (final IOException e)
        {
            LOG.warn("Closing the metadata quorum client: {}", e.getMessage());
        }
        try
        {
            server.close();
        }
        catch (final IOException e)
        {
            LOG.warn("Closing metadata quorum member {}: {}", nodeId, e.getMessage());
        }
    }
}
