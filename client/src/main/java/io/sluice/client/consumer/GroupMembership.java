package io.sluice.client.consumer;

import io.sluice.client.internals.GroupClient;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.ConsumerGroupHeartbeatRequest;
import io.sluice.common.protocol.message.ConsumerGroupHeartbeatResponse;
import io.sluice.common.protocol.message.TopicPartitionsData;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A consumer's membership of its group: heartbeats on the client's event loop (so a slow application stays in the
 * group until {@code max.poll.interval.ms}), carrying the subscription and the partitions the consumer owns, and
 * keeps the latest assignment the coordinator handed out for {@code poll} to reconcile on the application's
 * thread. Fields the application thread reads are volatile; everything else runs on the event loop.
 */
final class GroupMembership
{
    private static final Logger LOG = LoggerFactory.getLogger(GroupMembership.class);

    private final String groupId;
    private final GroupClient groups;
    private final EventLoop loop;
    private final int rebalanceTimeoutMs;
    private final long retryBackoffMs;
    private final long requestTimeoutMs;
    private final Runnable onChange;

    private volatile List<String> topics;
    private volatile String regex;
    private volatile boolean subscriptionChanged = true;
    /** Guards {@link #owned}, {@link #adding} and {@link #target} together; never held across a callback. */
    private final Object lock = new Object();
    private Set<TopicPartition> owned = Set.of();
    /** Partitions the poll thread is taking right now: reported as owned, so the coordinator never frees them. */
    private Set<TopicPartition> adding = Set.of();
    private Set<TopicPartition> target;
    private volatile boolean lost;
    private volatile SluiceException fatal;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile String memberId = "";
    private volatile int memberEpoch;
    private volatile boolean active;
    private boolean inFlight;
    private boolean sendAgain;
    private ScheduledFuture<?> next;

    GroupMembership(final String groupId, final GroupClient groups, final EventLoop loop,
        final int rebalanceTimeoutMs, final long retryBackoffMs, final long requestTimeoutMs, final Runnable onChange)
    {
        this.groupId = groupId;
        this.groups = groups;
        this.loop = loop;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.retryBackoffMs = retryBackoffMs;
        this.requestTimeoutMs = requestTimeoutMs;
        this.onChange = onChange;
    }

    /** Sets the subscription (topic names, or a regex when {@code regex} is not null) and joins if not joined. */
    void subscribe(final List<String> topicNames, final String pattern)
    {
        this.topics = topicNames;
        this.regex = pattern;
        this.subscriptionChanged = true;
        this.active = true;
        heartbeatNow();
    }

    /**
     * The poll thread starts reconciling: returns the partitions the coordinator last said this member may own
     * (null before the first answer) and, until {@link #ackOwned} or {@link #endReconcile}, reports the ones it is
     * about to take as owned. Without that, a heartbeat racing the poll thread could report a partition as not
     * owned that the poll thread then takes from an older assignment, and the coordinator would hand it on.
     */
    Set<TopicPartition> beginReconcile()
    {
        synchronized (lock)
        {
            if (target != null)
            {
                final Set<TopicPartition> taking = new HashSet<>(target);
                taking.removeAll(owned);
                adding = taking;
            }
            return target;
        }
    }

    /** The poll thread finished reconciling without a change. */
    void endReconcile()
    {
        synchronized (lock)
        {
            adding = Set.of();
        }
    }

    /** The poll thread reports the partitions it owns after reconciling; the coordinator hears it at once. */
    void ackOwned(final Set<TopicPartition> partitions)
    {
        synchronized (lock)
        {
            owned = Set.copyOf(partitions);
            adding = Set.of();
        }
        heartbeatNow();
    }

    private Set<TopicPartition> reportedOwned()
    {
        synchronized (lock)
        {
            if (adding.isEmpty())
            {
                return owned;
            }
            final Set<TopicPartition> all = new HashSet<>(owned);
            all.addAll(adding);
            return all;
        }
    }

    private void setTarget(final Set<TopicPartition> assignment)
    {
        synchronized (lock)
        {
            target = assignment;
        }
    }

    /** Whether the member lost its partitions (fenced or timed out) since the last call; clears the flag. */
    boolean takeLost()
    {
        if (lost)
        {
            lost = false;
            return true;
        }
        return false;
    }

    /** An error that stops the membership for good (bad group id, bad regex), to raise from poll. */
    SluiceException fatalError()
    {
        return fatal;
    }

    void onPoll()
    {
        lastPollNanos = System.nanoTime();
        if (active && memberEpoch == 0)
        {
            heartbeatNow();
        }
    }

    String memberId()
    {
        return memberId;
    }

    int memberEpoch()
    {
        return memberEpoch;
    }

    void heartbeatNow()
    {
        loop.execute(this::send);
    }

    private void send()
    {
        if (!active)
        {
            return;
        }
        if (inFlight)
        {
            sendAgain = true;
            return;
        }
        if (next != null)
        {
            next.cancel(false);
            next = null;
        }
        if (memberEpoch > 0 && System.nanoTime() - lastPollNanos > TimeUnit.MILLISECONDS.toNanos(rebalanceTimeoutMs))
        {
            LOG.warn("Consumer of group {} did not poll within max.poll.interval.ms ({} ms): leaving the group; the "
                + "next poll rejoins", groupId, rebalanceTimeoutMs);
            leaveNow();
            lost = true;
            setTarget(Set.of());
            onChange.run();
            return;
        }
        final boolean joining = memberEpoch == 0;
        final boolean withSubscription = joining || subscriptionChanged;
        subscriptionChanged = false;
        final ConsumerGroupHeartbeatRequest request = new ConsumerGroupHeartbeatRequest(groupId, memberId,
            memberEpoch, rebalanceTimeoutMs, withSubscription && regex == null ? new ArrayList<>(topics) : null,
            withSubscription ? regex : null, TopicPartitionsData.of(joining ? Set.of() : reportedOwned()));
        inFlight = true;
        groups.send(groupId, ApiKeys.CONSUMER_GROUP_HEARTBEAT, request, ConsumerGroupHeartbeatResponse::read,
            ConsumerGroupHeartbeatResponse::errorCode, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                requestTimeoutMs)).whenComplete((response, failure) -> loop.execute(() ->
                {
                    inFlight = false;
                    onResponse(response, failure, withSubscription);
                }));
    }

    private void onResponse(final ConsumerGroupHeartbeatResponse response, final Throwable failure,
        final boolean sentSubscription)
    {
        if (!active)
        {
            return;
        }
        if (failure != null)
        {
            subscriptionChanged |= sentSubscription;
            schedule(retryBackoffMs);
            return;
        }
        final Errors error = Errors.forCode(response.errorCode());
        switch (error)
        {
            case NONE:
                memberId = response.memberId();
                memberEpoch = response.memberEpoch();
                final Set<TopicPartition> assignment = TopicPartitionsData.toSet(response.assignment());
                boolean changed;
                synchronized (lock)
                {
                    changed = !assignment.equals(target);
                    target = assignment;
                }
                if (changed)
                {
                    onChange.run();
                }
                if (sendAgain)
                {
                    sendAgain = false;
                    schedule(0);
                }
                else
                {
                    schedule(response.heartbeatIntervalMs());
                }
                return;
            case UNKNOWN_MEMBER_ID:
            case FENCED_MEMBER_EPOCH:
            case GROUP_ID_NOT_FOUND:
                LOG.warn("Consumer {} of group {} lost its membership ({}): its partitions are lost; rejoining",
                    memberId, groupId, error);
                memberEpoch = 0;
                lost = true;
                setTarget(Set.of());
                onChange.run();
                schedule(0);
                return;
            default:
                if (error.isRetriable())
                {
                    subscriptionChanged |= sentSubscription;
                    schedule(retryBackoffMs);
                    return;
                }
                fatal = error.exception(response.errorMessage());
                LOG.error("Consumer of group {} cannot stay in the group: {}", groupId, fatal.getMessage());
                active = false;
                onChange.run();
        }
    }

    private void schedule(final long delayMs)
    {
        if (next != null)
        {
            next.cancel(false);
        }
        next = loop.schedule(this::send, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }

    /** Sends the leave heartbeat without waiting; the member is forgotten locally at once. */
    private CompletableFuture<?> leaveNow()
    {
        final String id = memberId;
        final int epoch = memberEpoch;
        memberEpoch = 0;
        if (next != null)
        {
            next.cancel(false);
            next = null;
        }
        if (id.isEmpty() || epoch <= 0)
        {
            return CompletableFuture.completedFuture(null);
        }
        return groups.send(groupId, ApiKeys.CONSUMER_GROUP_HEARTBEAT, new ConsumerGroupHeartbeatRequest(groupId, id,
            ConsumerGroupHeartbeatRequest.LEAVE_EPOCH, rebalanceTimeoutMs, null, null, null),
            ConsumerGroupHeartbeatResponse::read, ConsumerGroupHeartbeatResponse::errorCode,
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs));
    }

    /** Leaves the group (unsubscribe or close), waiting up to {@code timeoutMs} for the coordinator to hear it. */
    void leave(final long timeoutMs)
    {
        final CompletableFuture<CompletableFuture<?>> sent = new CompletableFuture<>();
        loop.execute(() ->
        {
            active = false;
            setTarget(null);
            sent.complete(leaveNow());
        });
        try
        {
            sent.get(timeoutMs, TimeUnit.MILLISECONDS).get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e)
        {
            LOG.warn("Consumer {} could not tell group {} it left ({}); the coordinator removes it after the session "
                + "timeout", memberId, groupId, e.getMessage());
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
