package io.sluice.broker.cluster;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.GroupMember;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.admin.TopicDescription;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three broker processes sharing a Ratis metadata quorum, replicating a topic with replication factor 3. */
class ReplicationTest
{
    @TempDir
    Path tmp;

    @Test
    void everyReplicaHoldsWhatAcksAllAcknowledged() throws Exception
    {
        final StringBuilder voters = new StringBuilder();
        for (int id = 0; id < 3; id++)
        {
            voters.append(id == 0 ? "" : ",").append(id).append("@127.0.0.1:").append(freePort());
        }
        final List<BrokerProcess> brokers = new ArrayList<>();
        for (int id = 0; id < 3; id++)
        {
            brokers.add(new BrokerProcess(tmp.resolve("b" + id), "node.id=" + id,
                "controller.quorum.voters=" + voters, "min.insync.replicas=2"));
        }
        try
        {
            // Each waits for a quorum of the others before it listens, so they start together.
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
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            started.forEach(CompletableFuture::join);
            final String bootstrap = brokers.get(0).bootstrap();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap)))
            {
                admin.createTopic(new NewTopic("replicated", 3, (short)3));
                final TopicDescription description = admin.describeTopics(List.of("replicated")).get("replicated");
                final Set<Integer> leaders = new HashSet<>();
                for (final PartitionInfo p : description.partitions())
                {
                    assertEquals(3, p.replicas().size());
                    leaders.add(p.leader());
                }
                assertEquals(Set.of(0, 1, 2), leaders, "leaders spread over the three brokers");
            }
            try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", bootstrap,
                "acks", "all"), new StringSerializer(), new StringSerializer()))
            {
                for (int i = 0; i < 300; i++)
                {
                    producer.send(new ProducerRecord<>("replicated", i % 3, null, null, "r" + i, List.of())).get();
                }
            }
            // Acknowledged with acks=all: every broker's replica of every partition already holds the records.
            for (final BrokerProcess broker : brokers)
            {
                final String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + broker.httpPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
                for (int p = 0; p < 3; p++)
                {
                    final String line = "sluice_log_end_offset{partition=\"" + p + "\",topic=\"replicated\"} 100.0";
                    assertTrue(metrics.contains(line), "broker " + broker.port() + " lacks " + line);
                }
            }
            final List<String> values = new ArrayList<>();
            try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", bootstrap,
                "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer()))
            {
                consumer.assign(List.of(new TopicPartition("replicated", 0), new TopicPartition("replicated", 1),
                    new TopicPartition("replicated", 2)));
                final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.size() < 300 && System.nanoTime() < deadline)
                {
                    for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100)))
                    {
                        values.add(record.value());
                    }
                }
            }
            assertEquals(300, new HashSet<>(values).size());
        }
        finally
        {
            for (final BrokerProcess broker : brokers)
            {
                broker.close();
            }
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
