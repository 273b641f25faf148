package io.sluice.broker.test;

import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRebalanceListener;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.common.TopicPartition;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A group member polling on its own thread, for tests: it records what it receives and, through its rebalance
 * listener, what it owns. An {@link Ownership} shared by members of one group catches a partition owned twice.
 */
public final class GroupMember implements AutoCloseable
{
    /** Who owns what, across the members of one group; any overlap is recorded as a violation. */
    public static final class Ownership
    {
        private final Map<TopicPartition, String> owners = new HashMap<>();
        public final List<String> violations = new CopyOnWriteArrayList<>();

        synchronized void take(final String member, final Collection<TopicPartition> partitions)
        {
            for (final TopicPartition tp : partitions)
            {
                final String previous = owners.putIfAbsent(tp, member);
                if (previous != null && !previous.equals(member))
                {
                    violations.add(tp + " assigned to " + member + " while " + previous + " owns it");
                }
            }
        }

        synchronized void give(final String member, final Collection<TopicPartition> partitions)
        {
            for (final TopicPartition tp : partitions)
            {
                owners.remove(tp, member);
            }
        }

        synchronized boolean owns(final String member, final TopicPartition tp)
        {
            return member.equals(owners.get(tp));
        }
    }

    public final String name;
    public final List<ConsumerRecord<String, String>> received = new CopyOnWriteArrayList<>();
    public final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    public final List<String> errors = new CopyOnWriteArrayList<>();
    private final Consumer<String, String> consumer;
    private final Ownership ownership;
    private final Thread thread;
    private volatile boolean running = true;

    public GroupMember(final String name, final String bootstrap, final String group, final List<String> topics,
        final Ownership ownership, final Map<String, Object> extra)
    {
        this.name = name;
        this.ownership = ownership;
        final Map<String, Object> props = new HashMap<>(Map.of("bootstrap.servers", bootstrap, "group.id", group,
            "auto.offset.reset", "earliest", "client.id", name));
        props.putAll(extra);
        this.consumer = new Consumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(topics, new ConsumerRebalanceListener()
        {
            @Override
            public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
            {
                owned.removeAll(partitions);
                if (ownership != null)
                {
                    ownership.give(name, partitions);
                }
            }

            @Override
            public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
            {
                if (ownership != null)
                {
                    ownership.take(name, partitions);
                }
                owned.addAll(partitions);
            }
        });
        this.thread = new Thread(this::run, "member-" + name);
        thread.start();
    }

    private void run()
    {
        try
        {
            while (running)
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50)))
                {
                    final TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (ownership != null && !ownership.owns(name, tp))
                    {
                        errors.add(name + " received " + tp + "@" + record.offset() + " without owning it");
                    }
                    received.add(record);
                }
            }
        }
        catch (final RuntimeException e)
        {
            errors.add(name + ": " + e);
        }
        finally
        {
            consumer.close();
        }
    }

    /** Stops polling and closes the consumer (revoking, committing and leaving the group). */
    @Override
    public void close() throws InterruptedException
    {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    /** Polls {@code condition} every few milliseconds until it holds or {@code timeoutMs} passes. */
    public static void await(final BooleanSupplier condition, final long timeoutMs, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("Timed out after " + timeoutMs + " ms waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
