package io.sluice.broker.test;

import io.sluice.client.admin.Admin;
import io.sluice.client.admin.TopicDescription;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Broker processes that are also the voters of one metadata quorum, on 127.0.0.1 with ephemeral ports. Each broker
 * waits for a quorum before it listens, so they start together.
 */
public final class TestCluster implements AutoCloseable
{
    private final List<BrokerProcess> brokers;

    private TestCluster(final List<BrokerProcess> brokers)
    {
        this.brokers = brokers;
    }

    /** Starts {@code size} brokers with ids 0..size-1, each with {@code min.insync.replicas=2} and the overrides. */
    public static TestCluster start(final Path dir, final int size, final String... overrides) throws IOException
    {
        return start(dir, size, size, overrides);
    }

    /** As {@link #start(Path, int, String...)}, with brokers 0..voterCount-1 the voters and the rest not. */
    public static TestCluster start(final Path dir, final int size, final int voterCount, final String... overrides)
        throws IOException
    {
        final StringBuilder voters = new StringBuilder();
        for (int id = 0; id < voterCount; id++)
        {
            voters.append(id == 0 ? "" : ",").append(id).append("@127.0.0.1:").append(FreePorts.next());
        }
        final List<BrokerProcess> brokers = new ArrayList<>();
        for (int id = 0; id < size; id++)
        {
            final List<String> all = new ArrayList<>(List.of("node.id=" + id, "controller.quorum.voters=" + voters,
                "min.insync.replicas=2"));
            all.addAll(List.of(overrides));
            brokers.add(new BrokerProcess(dir.resolve("b" + id), all.toArray(new String[0])));
        }
        final TestCluster cluster = new TestCluster(brokers);
        try
        {
            final List<CompletableFuture<BrokerProcess>> started = new ArrayList<>();
            for (final BrokerProcess broker : brokers)
            {
                started.add(CompletableFuture.supplyAsync(() ->
                {
                    try
                    {
                        return broker.start();
                    }
                    catch (final IOException e)
                    {
                        throw new UncheckedIOException(e);
                    }
                }));
            }
            started.forEach(CompletableFuture::join);
        }
        catch (final RuntimeException e)
        {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public BrokerProcess broker(final int id)
    {
        return brokers.get(id);
    }

    public List<BrokerProcess> brokers()
    {
        return brokers;
    }

    /** Every broker that is running, comma separated: clients may bootstrap from any. */
    public String bootstrap()
    {
        final StringBuilder result = new StringBuilder();
        for (final BrokerProcess broker : brokers)
        {
            if (broker.isAlive())
            {
                result.append(result.length() == 0 ? "" : ",").append(broker.bootstrap());
            }
        }
        return result.toString();
    }

    /** The partition as the metadata of broker {@code askedId} shows it. */
    public PartitionInfo partition(final int askedId, final String topic, final int partition)
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers.get(askedId).bootstrap())))
        {
            return admin.describeTopics(List.of(topic)).get(topic).partitions().get(partition);
        }
    }

    /**
     * Describes a topic just created through {@code admin}, waiting up to 30 s for the broker its metadata request
     * goes to. CreateTopics answers once the broker that took it has applied the topic; the admin's next metadata
     * request may go to another broker, which applies it moments later (as in Kafka, whose tests wait for metadata
     * to propagate the same way).
     */
    public static TopicDescription describeOnceCreated(final Admin admin, final String topic)
    {
        final TopicDescription[] found = new TopicDescription[1];
        GroupMember.await(() -> (found[0] = describeIfKnown(admin, topic)) != null, 30_000,
            "topic " + topic + " to reach the broker the admin client asked");
        return found[0];
    }

    private static TopicDescription describeIfKnown(final Admin admin, final String topic)
    {
        try
        {
            return admin.describeTopics(List.of(topic)).get(topic);
        }
        catch (final ApiException e)
        {
            if (e.code() != Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
            {
                throw e;
            }
            return null;
        }
    }

    /** The broker's Prometheus metrics page. */
    public static String metrics(final BrokerProcess broker)
    {
        try
        {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + broker.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The broker's log end offset of a partition from its metrics, or -1 if it does not host it. */
    public static long logEndOffset(final BrokerProcess broker, final String topic, final int partition)
    {
        final String prefix = "sluice_log_end_offset{partition=\"" + partition + "\",topic=\"" + topic + "\"} ";
        for (final String line : metrics(broker).split("\n"))
        {
            if (line.startsWith(prefix))
            {
                return (long)Double.parseDouble(line.substring(prefix.length()).trim());
            }
        }
        return -1;
    }

    /** Writes each running broker's thread dump beside its log, for a test that timed out to show why. */
    public void dumpThreads(final Path dir)
    {
        for (int id = 0; id < brokers.size(); id++)
        {
            final BrokerProcess broker = brokers.get(id);
            if (!broker.isAlive())
            {
                continue;
            }
            try
            {
                new ProcessBuilder("jstack", Long.toString(broker.pid())).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("b" + id + ".threads").toFile()).start().waitFor();
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close()
    {
        for (final BrokerProcess broker : brokers)
        {
            try
            {
                broker.close();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

}
