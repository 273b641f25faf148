package io.sluice.perf;

import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.cli.CommandLine;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRebalanceListener;
import io.sluice.client.serialization.ByteArrayDeserializer;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sluice perf rebalance}: how long a group takes to settle after a member joins or leaves. Members run in
 * this process, each polling on its own thread; a rebalance is done when every partition is owned (by the
 * members' rebalance listeners) and the shares are even again.
 */
final class RebalancePerformance
{
    static final String HELP = String.join("\n",
        "Usage: sluice perf rebalance [--topic T] [--partitions P] [--members M] [--rebalances R]",
        "                             [--consumer-prop k=v]... [--bootstrap-server HOST:PORT]",
        "Starts M-1 members of a new group on a P-partition topic (created if missing; default 100 partitions,",
        "10 members), then alternately adds an M-th member and closes one, R times (default 20), timing each",
        "from the join (subscribe) or leave (close) until all P partitions are owned again in even shares.");

    private RebalancePerformance()
    {
    }

    /** One member: a consumer polling on its own thread and the partitions its listener says it owns. */
    private static final class Member implements AutoCloseable
    {
        final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
        private final Thread thread;
        private volatile boolean running = true;
        private volatile RuntimeException failure;

        Member(final Map<String, Object> props, final String topic, final String name)
        {
            final Consumer<byte[], byte[]> consumer = new Consumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener()
            {
                @Override
                public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
                {
                    owned.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
                {
                    owned.addAll(partitions);
                }
            });
            thread = new Thread(() ->
            {
                try
                {
                    while (running)
                    {
                        consumer.poll(Duration.ofMillis(100));
                    }
                }
                catch (final RuntimeException e)
                {
                    failure = e;
                }
                finally
                {
                    consumer.close();
                }
            }, name);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException
        {
            running = false;
            thread.join();
            if (failure != null)
            {
                throw failure;
            }
        }
    }

    static void run(final String[] args, final PrintStream out) throws Exception
    {
        final CommandLine cli = new CommandLine(args, 1, Set.of("topic", "partitions", "members", "rebalances",
            "consumer-prop", "bootstrap-server"), Set.of());
        if (cli.has("help"))
        {
            out.println(HELP);
            return;
        }
        final String topic = cli.get("topic", "rebalance-perf");
        final int partitions = (int)cli.getLong("partitions", 100);
        final int members = (int)cli.getLong("members", 10);
        final int rebalances = (int)cli.getLong("rebalances", 20);
        if (members < 2 || partitions < 1 || rebalances < 1)
        {
            throw new CommandLine.UsageException("--members must be at least 2, --partitions and --rebalances 1");
        }
        final String bootstrap = cli.get("bootstrap-server", "127.0.0.1:9092");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap)))
        {
            try
            {
                admin.createTopic(new NewTopic(topic, partitions, (short)-1));
            }
            catch (final ApiException e)
            {
                if (e.code() != Errors.TOPIC_ALREADY_EXISTS.code())
                {
                    throw e;
                }
            }
            final int existing = admin.describeTopics(List.of(topic)).get(topic).partitions().size();
            if (existing != partitions)
            {
                throw new CommandLine.UsageException("topic " + topic + " has " + existing + " partitions, not "
                    + partitions);
            }
        }
        final Map<String, Object> props = cli.properties("consumer-prop");
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", "rebalance-perf-" + UUID.randomUUID());
        final List<Member> group = new ArrayList<>();
        final long[] joins = new long[(rebalances + 1) / 2];
        final long[] leaves = new long[rebalances / 2];
        try
        {
            for (int i = 0; i < members - 1; i++)
            {
                group.add(new Member(props, topic, "member-" + i));
            }
            awaitSettled(group, partitions, 60_000);
            int joined = 0;
            int left = 0;
            for (int r = 0; r < rebalances; r++)
            {
                final long start = System.nanoTime();
                if (r % 2 == 0)
                {
                    group.add(new Member(props, topic, "member-" + (members - 1 + r)));
                    joins[joined++] = awaitSettled(group, partitions, 30_000) - start;
                }
                else
                {
                    // The longest-standing member leaves, so every join and leave moves real partitions.
                    group.remove(0).close();
                    leaves[left++] = awaitSettled(group, partitions, 30_000) - start;
                }
                out.printf(Locale.ROOT, "rebalance %d (%s): %.1f ms%n", r + 1, r % 2 == 0 ? "join" : "leave",
                    (r % 2 == 0 ? joins[joined - 1] : leaves[left - 1]) / 1e6);
            }
        }
        finally
        {
            for (final Member m : group)
            {
                m.close();
            }
        }
        final long[] all = new long[rebalances];
        System.arraycopy(joins, 0, all, 0, joins.length);
        System.arraycopy(leaves, 0, all, joins.length, leaves.length);
        out.printf(Locale.ROOT, "%d rebalances of %d partitions over %d/%d members: median %.1f ms, max %.1f ms "
            + "(joins: median %.1f ms; leaves: median %.1f ms)%n", rebalances, partitions, members - 1, members,
            median(all) / 1e6, Arrays.stream(all).max().orElse(0) / 1e6, median(joins) / 1e6, median(leaves) / 1e6);
        out.printf(Locale.ROOT, "{\"tool\":\"rebalance\",\"rebalances\":%d,\"partitions\":%d,\"members\":%d,"
            + "\"median_ms\":%.1f,\"max_ms\":%.1f,\"join_median_ms\":%.1f,\"leave_median_ms\":%.1f}%n", rebalances,
            partitions, members, median(all) / 1e6, Arrays.stream(all).max().orElse(0) / 1e6, median(joins) / 1e6,
            median(leaves) / 1e6);
    }

    /** Waits until every partition is owned once and the shares differ by at most one; returns when. */
    private static long awaitSettled(final List<Member> group, final int partitions, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final int floor = partitions / group.size();
        final int ceiling = (partitions + group.size() - 1) / group.size();
        while (true)
        {
            int total = 0;
            boolean even = true;
            for (final Member m : group)
            {
                final int size = m.owned.size();
                total += size;
                even &= size >= floor && size <= ceiling;
            }
            final long now = System.nanoTime();
            if (total == partitions && even)
            {
                return now;
            }
            if (now > deadline)
            {
                throw new IllegalStateException("The group did not settle within " + timeoutMs + " ms: " + total
                    + " of " + partitions + " partitions owned");
            }
            LockSupport.parkNanos(200_000);
        }
    }

    private static double median(final long[] values)
    {
        if (values.length == 0)
        {
            return 0;
        }
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
            : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
    }
}
