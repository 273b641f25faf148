package io.sluice.broker.e2e;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.RawClient;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.admin.OffsetSpec;
import io.sluice.client.cli.ConsumeCommand;
import io.sluice.client.cli.ProduceCommand;
import io.sluice.client.cli.TopicCommand;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.consumer.ConsumerRecords;
import io.sluice.client.internals.OffsetAndTimestamp;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.producer.RecordMetadata;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.errors.RecordTooLargeException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.ApiVersionsRequest;
import io.sluice.common.protocol.message.ApiVersionsResponse;
import io.sluice.common.protocol.message.FetchRequest;
import io.sluice.common.protocol.message.FetchResponse;
import io.sluice.common.protocol.message.ProduceRequest;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatchBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Consumer positioning, admin calls, long polls, metrics, limits and the commands' exit codes. */
class ClientApiTest
{
    @TempDir
    static Path tmp;

    private static BrokerProcess broker;

    @BeforeAll
    static void start() throws Exception
    {
        broker = new BrokerProcess(tmp.resolve("data"), "max.connections=40").start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            admin.createTopic(new NewTopic("positions", 1, (short)1));
        }
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap()),
            new StringSerializer(), new StringSerializer()))
        {
            for (int i = 0; i < 100; i++)
            {
                producer.send(new ProducerRecord<>("positions", 0, 1_000_000L + i * 10L, "k", "v" + i, List.of()));
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stop() throws Exception
    {
        broker.stop();
    }

    @Test
    void sendWithACallbackReportsEachRecordOnceAndKeepsGoingPastAThrowingCallback() throws Exception
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            admin.createTopic(new NewTopic("called-back", 1, (short)1));
        }
        final List<String> heard = Collections.synchronizedList(new ArrayList<>());
        final List<Future<RecordMetadata>> futures = new ArrayList<>();
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "max.request.size", "2000"), new StringSerializer(), new StringSerializer()))
        {
            for (int i = 0; i < 50; i++)
            {
                final int n = i;
                futures.add(producer.send(new ProducerRecord<>("called-back", 0, null, "k", "v" + i, List.of()),
                    (metadata, error) ->
                    {
                        heard.add(n + "@" + (error == null ? metadata.offset() : error.toString()));
                        if (n == 10)
                        {
                            throw new IllegalStateException("a bug in the application's callback");
                        }
                    }));
            }
            // Refused before it is queued: the callback hears it on this thread, the future holds it too.
            final List<Exception> refused = new ArrayList<>();
            final Future<RecordMetadata> tooLarge = producer.send(new ProducerRecord<>(
                "called-back", "x".repeat(5000)), (metadata, error) -> refused.add(error));
            assertEquals(1, refused.size());
            assertTrue(refused.get(0) instanceof RecordTooLargeException, refused.toString());
            assertEquals(refused.get(0), assertThrows(ExecutionException.class, tooLarge::get).getCause());
            producer.flush();
            assertEquals(50, heard.size(), "flush returns once the callbacks ran");
            for (int i = 0; i < 50; i++)
            {
                assertEquals(i, futures.get(i).get(0, TimeUnit.MILLISECONDS).offset(), "flush waited for record " + i);
            }
            // The producer still works after a callback threw; a null callback means none, as in Kafka.
            assertEquals(50L, producer.send(new ProducerRecord<>("called-back", 0, null, "k", "after", List.of()),
                (metadata, error) -> { }).get(10, TimeUnit.SECONDS).offset());
            assertEquals(51L, producer.send(new ProducerRecord<>("called-back", 0, null, "k", "none", List.of()),
                null).get(10, TimeUnit.SECONDS).offset());
        }
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            expected.add(i + "@" + i);
        }
        assertEquals(expected, heard, "each record's callback once, in order");
    }

    private static Consumer<String, String> consumer(final String reset)
    {
        return new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap(), "auto.offset.reset", reset,
            "max.poll.records", "10"), new StringDeserializer(), new StringDeserializer());
    }

    private static List<ConsumerRecord<String, String>> pollUntil(final Consumer<String, String> consumer,
        final int count)
    {
        final List<ConsumerRecord<String, String>> records = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (records.size() < count && System.nanoTime() < deadline)
        {
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }
        return records;
    }

    @Test
    void shouldSeekReadPositionsAndPause()
    {
        final TopicPartition tp = new TopicPartition("positions", 0);
        try (Consumer<String, String> consumer = consumer("latest"))
        {
            consumer.assign(List.of(tp));
            assertEquals(100, consumer.position(tp), "latest starts at the end");
            assertEquals(Map.of(tp, 0L), consumer.beginningOffsets(List.of(tp)));
            assertEquals(Map.of(tp, 100L), consumer.endOffsets(List.of(tp)));
            consumer.seek(tp, 42);
            final List<ConsumerRecord<String, String>> records = pollUntil(consumer, 10);
            assertEquals(42, records.get(0).offset());
            assertEquals("v42", records.get(0).value());
            assertEquals(1_000_420L, records.get(0).timestamp());
            assertEquals(52, consumer.position(tp), "max.poll.records bounds a poll");
            consumer.pause(List.of(tp));
            assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty(), "a paused partition returns nothing");
            consumer.resume(List.of(tp));
            assertEquals(52, pollUntil(consumer, 1).get(0).offset());
            consumer.seekToBeginning(List.of(tp));
            assertEquals(0, consumer.position(tp));
            consumer.seekToEnd(List.of(tp));
            assertEquals(100, consumer.position(tp));
            final Map<TopicPartition, OffsetAndTimestamp> byTime = consumer.offsetsForTimes(Map.of(tp, 1_000_555L));
            assertEquals(56, byTime.get(tp).offset());
            assertNull(consumer.offsetsForTimes(Map.of(tp, 9_000_000L)).get(tp));
            assertThrows(IllegalStateException.class, () -> consumer.seek(new TopicPartition("other", 0), 0));
        }
    }

    /**
     * An idle consumer keeps a fetch parked at the broker, renewed from the offsets it ended at; a seek must stop
     * that chain, or every renewed answer starts at the old offset, is dropped, and poll never reads again.
     */
    @Test
    void aSeekWhileAFetchIsParkedReadsFromTheNewPosition()
    {
        final TopicPartition tp = new TopicPartition("positions", 0);
        try (Consumer<String, String> consumer = consumer("latest"))
        {
            consumer.assign(List.of(tp));
            assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty(), "nothing after the end");
            consumer.seek(tp, 0);
            final List<ConsumerRecord<String, String>> records = pollUntil(consumer, 10);
            assertEquals(10, records.size(), "records after seeking back");
            assertEquals(0, records.get(0).offset());
        }
    }

    /**
     * With max.poll.records cutting polls short, a busy partition must not hold the others back until it drains.
     * The busy one holds 4 MB, four fetches' worth (max.partition.fetch.bytes 1 MiB); the quiet one's records,
     * fetched with the first megabyte, must come long before the busy one's last record, not after it.
     */
    @Test
    void aPartitionWithFewRecordsIsNotStarvedByABusyOne()
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            admin.createTopic(new NewTopic("fairness", 2, (short)1));
        }
        final String value = "x".repeat(100);
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap()),
            new StringSerializer(), new StringSerializer()))
        {
            for (int i = 0; i < 40_000; i++)
            {
                producer.send(new ProducerRecord<>("fairness", 0, null, null, value, List.of()));
            }
            for (int i = 0; i < 10; i++)
            {
                producer.send(new ProducerRecord<>("fairness", 1, null, null, "quiet" + i, List.of()));
            }
            producer.flush();
        }
        try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "auto.offset.reset", "earliest", "max.poll.records", "100"), new StringDeserializer(),
            new StringDeserializer()))
        {
            final TopicPartition busy = new TopicPartition("fairness", 0);
            final TopicPartition quiet = new TopicPartition("fairness", 1);
            consumer.assign(List.of(busy, quiet));
            int busyBeforeQuiet = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline)
            {
                final ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                if (!records.records(quiet).isEmpty())
                {
                    break;
                }
                busyBeforeQuiet += records.records(busy).size();
            }
            assertTrue(busyBeforeQuiet < 10_000, "the quiet partition waited for " + busyBeforeQuiet
                + " records of the busy one");
        }
    }

    @Test
    void shouldDescribeListAndDeleteTopicsAndReportUnknownOnes()
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            admin.createTopic(new NewTopic("short-lived", 4, (short)1, Map.of("retention.ms", "60000")));
            assertTrue(admin.listTopics(false).contains("short-lived"));
            assertEquals(4, admin.describeTopics(List.of("short-lived")).get("short-lived").partitions().size());
            final Map<String, SluiceException> again = admin.createTopics(List.of(new NewTopic("short-lived", 1,
                (short)1)));
            assertEquals(Errors.TOPIC_ALREADY_EXISTS.code(), ((ApiException)again.get("short-lived")).code());
            final ApiException badConfig = assertThrows(ApiException.class, () -> admin.createTopic(
                new NewTopic("bad-config", 1, (short)1, Map.of("retention.ms", "forever"))));
            assertTrue(badConfig.getMessage().contains("retention.ms"), badConfig.getMessage());
            final ApiException badFactor = assertThrows(ApiException.class, () -> admin.createTopic(
                new NewTopic("too-many-replicas", 1, (short)3)));
            assertEquals(Errors.INVALID_REPLICATION_FACTOR.code(), badFactor.code());
            assertNull(admin.deleteTopics(List.of("short-lived")).get("short-lived"));
            assertFalse(admin.listTopics(false).contains("short-lived"));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                ((ApiException)admin.deleteTopics(List.of("never-was")).get("never-was")).code());
            assertEquals(100L, admin.listOffsets(Map.of(new TopicPartition("positions", 0), OffsetSpec.latest()))
                .get(new TopicPartition("positions", 0)).offset());
        }
    }

    @Test
    void aTopicsMinInsyncReplicasOverridesTheBrokersForAcksAll() throws Exception
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            final SluiceException bad = admin.createTopics(List.of(new NewTopic("bad-min-isr", 1, (short)1,
                Map.of("min.insync.replicas", "0")))).get("bad-min-isr");
            assertEquals(Errors.INVALID_CONFIG.code(), ((ApiException)bad).code());
            assertTrue(bad.getMessage().contains("min.insync.replicas"), bad.getMessage());
            admin.createTopic(new NewTopic("strict", 1, (short)1, Map.of("min.insync.replicas", "2")));
        }
        // One broker cannot have two in-sync replicas: acks=all is refused on this topic, acks=1 is not.
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "acks", "all", "delivery.timeout.ms", "3000", "request.timeout.ms", "2000"), new StringSerializer(),
            new StringSerializer()))
        {
            final ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(
                new ProducerRecord<>("strict", 0, null, null, "refused", List.of())).get());
            assertTrue(e.getCause().getMessage().contains("NOT_ENOUGH_REPLICAS"), e.getCause().getMessage());
        }
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "acks", "1"), new StringSerializer(), new StringSerializer()))
        {
            assertEquals(0L, producer.send(new ProducerRecord<>("strict", 0, null, null, "taken", List.of())).get()
                .offset());
        }
    }

    @Test
    void aFollowerWhoseLogDivergedIsSentBackToFindWhereTheLogsAgree() throws Exception
    {
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap()),
            new StringSerializer(), new StringSerializer()))
        {
            for (int i = 0; i < 10; i++)
            {
                producer.send(new ProducerRecord<>("diverging", 0, null, null, "r" + i, List.of())).get();
            }
        }
        try (RawClient client = new RawClient(broker.port()))
        {
            // Written at leader epoch 0, which ends at offset 10 here.
            assertEquals(Errors.NONE.code(), followerFetch(client, 0, 10));
            assertEquals(Errors.NONE.code(), followerFetch(client, 0, 4));
            // A replica claiming records of epoch 0 past where it ends here, or of an epoch this log never had.
            assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), followerFetch(client, 0, 12));
            assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), followerFetch(client, 3, 5));
        }
    }

    private static short followerFetch(final RawClient client, final int lastFetchedEpoch, final long offset)
        throws java.io.IOException
    {
        final FetchRequest fetch = new FetchRequest(1, 0, 0, 1 << 20, (byte)0, List.of(new FetchRequest.TopicData(
            "diverging", List.of(new FetchRequest.PartitionData(0, -1, offset, lastFetchedEpoch, 0, 1 << 20)))));
        return FetchResponse.read(client.call(ApiKeys.FETCH, fetch)).topics().get(0).partitions().get(0).errorCode();
    }

    @Test
    void aFetchWaitsForDataUpToMaxWait() throws Exception
    {
        try (RawClient client = new RawClient(broker.port()))
        {
            final FetchRequest atEnd = new FetchRequest(-1, 1500, 1, 1 << 20, (byte)0, List.of(
                new FetchRequest.TopicData("positions", List.of(new FetchRequest.PartitionData(0, -1, 100, -1,
                1 << 20)))));
            final long start = System.nanoTime();
            final FetchResponse empty = FetchResponse.read(client.call(ApiKeys.FETCH, atEnd));
            final long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(0, empty.topics().get(0).partitions().get(0).records().sizeInBytes());
            assertTrue(waitedMs >= 1400, "a fetch with nothing to return parks for maxWaitMs, waited " + waitedMs);
        }
        try (RawClient client = new RawClient(broker.port());
            Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap()),
                new StringSerializer(), new StringSerializer()))
        {
            final FetchRequest longPoll = new FetchRequest(-1, 60_000, 1, 1 << 20, (byte)0, List.of(
                new FetchRequest.TopicData("long-poll", List.of(new FetchRequest.PartitionData(0, -1, 0, -1,
                1 << 20)))));
            producer.send(new ProducerRecord<>("long-poll", 0, null, null, "first", List.of())).get(10,
                TimeUnit.SECONDS);
            final FetchRequest afterFirst = new FetchRequest(-1, 60_000, 1, 1 << 20, (byte)0, List.of(
                new FetchRequest.TopicData("long-poll", List.of(new FetchRequest.PartitionData(0, -1, 1, -1,
                1 << 20)))));
            final CompletableFuture<FetchResponse> parked = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return FetchResponse.read(client.call(ApiKeys.FETCH, afterFirst));
                }
                catch (final Exception e)
                {
                    throw new RuntimeException(e);
                }
            });
            assertFalse(parked.isDone());
            producer.send(new ProducerRecord<>("long-poll", 0, null, null, "second", List.of())).get(10,
                TimeUnit.SECONDS);
            final FetchResponse woken = parked.get(20, TimeUnit.SECONDS);
            assertTrue(woken.topics().get(0).partitions().get(0).records().sizeInBytes() > 0,
                "the append completes the parked fetch long before its 60 s wait");
            assertEquals(2, woken.topics().get(0).partitions().get(0).highWatermark());
            assertEquals(Errors.NONE.code(), longPoll.topics().isEmpty() ? -1 : Errors.NONE.code());
        }
    }

    @Test
    void aParkedFetchWokenByAProduceAnswersWithEveryPartitionOfIt() throws Exception
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            admin.createTopic(new NewTopic("woken", 3, (short)1));
        }
        final List<FetchRequest.PartitionData> fromStart = new ArrayList<>();
        final List<ProduceRequest.PartitionData> oneBatchEach = new ArrayList<>();
        for (int p = 0; p < 3; p++)
        {
            fromStart.add(new FetchRequest.PartitionData(p, -1, 0, -1, 1 << 20));
            final RecordBatchBuilder builder = new RecordBatchBuilder(256).reset(CompressionType.NONE);
            builder.append(System.currentTimeMillis(), null, ("p" + p).getBytes(StandardCharsets.UTF_8), Header.NONE);
            final ByteBuffer batch = builder.build();
            oneBatchEach.add(new ProduceRequest.PartitionData(p, ByteBuffer.allocate(batch.remaining()).put(batch)
                .flip()));
        }
        try (RawClient client = new RawClient(broker.port()))
        {
            // One connection is served in order: the fetch is parked before the produce is read.
            client.sendBytes(RawClient.frame(ApiKeys.FETCH.id, ApiKeys.FETCH.latestVersion, 1, new FetchRequest(-1,
                60_000, 1, 1 << 20, (byte)0, List.of(new FetchRequest.TopicData("woken", fromStart)))));
            client.sendBytes(RawClient.frame(ApiKeys.PRODUCE.id, ApiKeys.PRODUCE.latestVersion, 2,
                new ProduceRequest(null, (short)1, 5000, List.of(new ProduceRequest.TopicData("woken",
                oneBatchEach)))));
            final MessageReader fetched = client.readResponse();
            assertEquals(1, fetched.readInt());
            final FetchResponse answer = FetchResponse.read(fetched);
            for (final FetchResponse.PartitionData partition : answer.topics().get(0).partitions())
            {
                assertEquals(1, partition.highWatermark(), "partition " + partition.partition()
                    + ": the fetch is answered once the whole produce request is appended, not after its first "
                    + "partition");
                assertTrue(partition.records().sizeInBytes() > 0, "partition " + partition.partition());
            }
            final MessageReader produced = client.readResponse();
            assertEquals(2, produced.readInt());
        }
    }

    @Test
    void shouldServePrometheusMetrics() throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + broker.httpPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        final String body = response.body();
        for (final String name : new String[] {"sluice_topic_records_in_total{topic=\"positions\"}",
            "sluice_topic_bytes_in_bytes_total", "sluice_request_latency_seconds", "api=\"PRODUCE\"",
            "quantile=\"0.99\"", "sluice_connections", "sluice_purgatory_fetch_size",
            "sluice_log_size_bytes{partition=\"0\",topic=\"positions\"}", "sluice_log_end_offset",
            "sluice_log_warmed_bytes_total", "sluice_log_warm_dropped_total"})
        {
            assertTrue(body.contains(name), name + " missing from /metrics:\n" + body);
        }
        // "positions" was written at start: its segment grew, and what it grew by went through the warmer.
        final double warmed = body.lines().filter(line -> line.startsWith("sluice_log_warmed_bytes_total "))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1))).findFirst().orElse(0);
        assertTrue(warmed > 0, "no bytes warmed:\n" + body);
    }

    @Test
    void shouldRefuseConnectionsBeyondMaxConnections() throws Exception
    {
        final List<RawClient> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < 60; i++)
            {
                clients.add(new RawClient(broker.port()));
            }
            int closed = 0;
            for (final RawClient client : clients)
            {
                if (client.isClosedByPeer(200))
                {
                    closed++;
                }
            }
            assertTrue(closed >= 20, "at least 20 of 60 connections must be refused with max.connections=40, got "
                + closed);
        }
        finally
        {
            for (final RawClient client : clients)
            {
                client.close();
            }
        }
        // The broker counts a connection out when it sees it close, which may come after this client's close
        // returned: until then a new one can still be refused.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            try (RawClient client = new RawClient(broker.port()))
            {
                assertEquals(Errors.NONE.code(), ApiVersionsResponse.read(client.call(ApiKeys.API_VERSIONS,
                    new ApiVersionsRequest())).errorCode());
                return;
            }
            catch (final java.io.IOException e)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("the broker still refused connections 10 s after the others closed", e);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    @Test
    void closingAProducerFailsWhatItCannotDeliver() throws Exception
    {
        final Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", "127.0.0.1:1",
            "max.block.ms", "500"), new StringSerializer(), new StringSerializer());
        final CompletableFuture<RecordMetadata> future = producer.send(new ProducerRecord<>("nowhere", "x"));
        final ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("max.block.ms"), e.getCause().getMessage());
        producer.close(Duration.ofSeconds(1));
        assertThrows(IllegalStateException.class, () -> producer.send(new ProducerRecord<>("nowhere", "y")));
    }

    @Test
    void commandsExitWithTheirCodes()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(2, TopicCommand.run(new String[] {"frobnicate"}, print));
        assertEquals(2, TopicCommand.run(new String[] {"create", "x", "--partitions", "many"}, print));
        assertEquals(1, TopicCommand.run(new String[] {"describe", "missing-topic", "--bootstrap-server",
            broker.bootstrap()}, print));
        assertEquals(0, TopicCommand.run(new String[] {"list", "--bootstrap-server", broker.bootstrap()}, print));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("positions"));
        assertEquals(0, TopicCommand.run(new String[] {"--help"}, print));
        out.reset();
        assertEquals(0, ConsumeCommand.run(new String[] {"positions", "--bootstrap-server", broker.bootstrap(),
            "--partition", "0", "--offset", "98", "--max-messages", "2", "--print-key"}, print));
        assertEquals("k\tv98\nk\tv99\n", out.toString(StandardCharsets.UTF_8));
        assertEquals(2, ConsumeCommand.run(new String[] {"positions", "--offset", "3"}, print));
    }

    @Test
    void theProduceCommandReportsAFailedLineHoweverManyLinesCameBeforeIt() throws Exception
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            admin.createTopic(new NewTopic("produce-cli", 1, (short)1));
        }
        // 12,000 lines (past the 10,000 the command once kept futures for), the fifth too large to send.
        final StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 12_000; i++)
        {
            lines.append(i == 4 ? "x".repeat(3_000) : "line-" + i).append('\n');
        }
        final InputStream in = new ByteArrayInputStream(lines.toString().getBytes(StandardCharsets.UTF_8));
        final PrintStream stderr = System.err;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        final int exit;
        try
        {
            exit = ProduceCommand.run(new String[] {"produce-cli", "--bootstrap-server",
                broker.bootstrap(), "--producer-prop", "max.request.size=2000"}, in);
        }
        finally
        {
            System.setErr(stderr);
        }
        assertEquals(1, exit, err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("1 record(s) were not written"),
            err.toString(StandardCharsets.UTF_8));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            final TopicPartition tp = new TopicPartition("produce-cli", 0);
            assertEquals(11_999L, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).get(tp).offset(),
                "every other line was written");
        }
    }
}
