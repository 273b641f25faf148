package io.sluice.broker.e2e;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.RawClient;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.ApiVersionsRequest;
import io.sluice.common.protocol.message.ApiVersionsResponse;
import io.sluice.common.protocol.message.CreateTopicsRequest;
import io.sluice.common.protocol.message.MetadataRequest;
import io.sluice.common.protocol.message.MetadataResponse;
import io.sluice.common.protocol.message.ProduceRequest;
import io.sluice.common.protocol.message.ProduceResponse;
import io.sluice.common.protocol.message.TopicResultsResponse;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input a network can send: each gets an error answer or a closed connection, the broker keeps
 * serving other clients, and the records already stored stay exactly as they were.
 */
class BadInputTest
{
    private static final String TOPIC = "guarded";
    private static final int RECORDS = 100;

    @TempDir
    static Path tmp;

    private static BrokerProcess broker;

    @BeforeAll
    static void start() throws Exception
    {
        broker = new BrokerProcess(tmp.resolve("data"), "connections.max.idle.ms=1500",
            "socket.request.max.bytes=2000000").start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            admin.createTopic(new NewTopic(TOPIC, 2, (short)1));
        }
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap()),
            new StringSerializer(), new StringSerializer()))
        {
            for (int i = 0; i < RECORDS; i++)
            {
                producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stop() throws Exception
    {
        broker.stop();
    }

    /** After every test: the broker answers a fresh client and the stored records are unchanged. */
    @AfterEach
    void brokerStillServesAndDataIsIntact() throws Exception
    {
        assertTrue(broker.isAlive(), "broker died:\n" + broker.log());
        try (RawClient client = new RawClient(broker.port()))
        {
            final ApiVersionsResponse versions = ApiVersionsResponse.read(client.call(ApiKeys.API_VERSIONS,
                new ApiVersionsRequest()));
            assertEquals(Errors.NONE.code(), versions.errorCode());
        }
        final List<String> values = new ArrayList<>();
        try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer()))
        {
            consumer.assign(List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1)));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (values.size() < RECORDS && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
                {
                    values.add(r.value());
                }
            }
            final Map<TopicPartition, Long> ends = consumer.endOffsets(List.of(new TopicPartition(TOPIC, 0),
                new TopicPartition(TOPIC, 1)));
            assertEquals(RECORDS, ends.values().stream().mapToLong(Long::longValue).sum(), "records were added");
        }
        assertEquals(RECORDS, values.size());
        for (int i = 0; i < RECORDS; i++)
        {
            assertTrue(values.contains("v" + i), "v" + i + " lost");
        }
    }

    @Test
    void randomBytesCloseTheConnection() throws Exception
    {
        final Random random = new Random(1);
        for (int i = 0; i < 20; i++)
        {
            try (RawClient client = new RawClient(broker.port()))
            {
                final byte[] junk = new byte[1 + random.nextInt(4000)];
                random.nextBytes(junk);
                client.sendBytes(junk);
                // Either an error answer or a close; never a hang of the broker. Reading to EOF is not required.
                client.isClosedByPeer(300);
            }
        }
    }

    @Test
    void aHugeLengthPrefixClosesTheConnection() throws Exception
    {
        for (final int length : new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 2_000_001, -1})
        {
            try (RawClient client = new RawClient(broker.port()))
            {
                client.sendBytes(ByteBuffer.allocate(4).putInt(0, length).array());
                assertTrue(client.isClosedByPeer(5000), "length " + length + " did not close the connection");
            }
        }
    }

    @Test
    void aFrameCutOffMidwayLeavesNoTrace() throws Exception
    {
        final byte[] frame = RawClient.frame(ApiKeys.METADATA.id, (short)0, 1,
            new MetadataRequest(List.of(TOPIC), false));
        try (RawClient client = new RawClient(broker.port()))
        {
            client.sendBytes(java.util.Arrays.copyOf(frame, frame.length / 2));
        }
    }

    @Test
    void unknownApiAndUnsupportedVersion() throws Exception
    {
        try (RawClient client = new RawClient(broker.port()))
        {
            client.sendBytes(RawClient.frame((short)999, (short)0, 7, new ApiVersionsRequest()));
            assertTrue(client.isClosedByPeer(5000), "an unknown API key must close the connection");
        }
        try (RawClient client = new RawClient(broker.port()))
        {
            final MessageReader reply = client.call(ApiKeys.METADATA.id, (short)42, new MetadataRequest(null, false));
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), reply.readShort());
            // The connection still works after the refusal.
            assertEquals(Errors.NONE.code(), ApiVersionsResponse.read(client.call(ApiKeys.API_VERSIONS,
                new ApiVersionsRequest())).errorCode());
        }
    }

    @Test
    void aTruncatedBodyGetsInvalidRequest() throws Exception
    {
        try (RawClient client = new RawClient(broker.port()))
        {
            final byte[] frame = RawClient.frame(ApiKeys.PRODUCE.id, (short)0, 3, null);
            // A produce header with no body at all.
            client.sendBytes(frame);
            final MessageReader reply = client.readResponse();
            assertEquals(3, reply.readInt());
            assertEquals(Errors.INVALID_REQUEST.code(), reply.readShort());
        }
    }

    private static ByteBuffer goodBatch()
    {
        final RecordBatchBuilder builder = new RecordBatchBuilder(256).reset(CompressionType.NONE);
        builder.append(System.currentTimeMillis(), "bad".getBytes(StandardCharsets.UTF_8),
            "should-not-be-stored".getBytes(StandardCharsets.UTF_8), Header.NONE);
        final ByteBuffer built = builder.build();
        final ByteBuffer copy = ByteBuffer.allocate(built.remaining());
        copy.put(built).flip();
        return copy;
    }

    private static short produceError(final ByteBuffer records) throws IOException
    {
        try (RawClient client = new RawClient(broker.port()))
        {
            final ProduceResponse response = ProduceResponse.read(client.call(ApiKeys.PRODUCE, new ProduceRequest(
                null, (short)1, 5000, List.of(new ProduceRequest.TopicData(TOPIC,
                List.of(new ProduceRequest.PartitionData(0, records)))))));
            return response.topics().get(0).partitions().get(0).errorCode();
        }
    }

    @Test
    void aBatchWithAWrongCrcIsRefused() throws Exception
    {
        final ByteBuffer batch = goodBatch();
        batch.put(batch.limit() - 2, (byte)(batch.get(batch.limit() - 2) ^ 0x5a));
        assertEquals(Errors.CORRUPT_MESSAGE.code(), produceError(batch));
    }

    @Test
    void aBatchLyingAboutItsLengthOrCountIsRefused() throws Exception
    {
        final ByteBuffer longer = goodBatch();
        longer.putInt(RecordBatch.LENGTH_OFFSET, longer.getInt(RecordBatch.LENGTH_OFFSET) + 100);
        assertEquals(Errors.CORRUPT_MESSAGE.code(), produceError(longer));
        final ByteBuffer shorter = goodBatch();
        shorter.putInt(RecordBatch.LENGTH_OFFSET, shorter.getInt(RecordBatch.LENGTH_OFFSET) - 5);
        assertEquals(Errors.CORRUPT_MESSAGE.code(), produceError(shorter));
        final ByteBuffer count = goodBatch();
        // A consistent CRC over a lying record count: only a check of the counts catches it.
        count.putInt(RecordBatch.RECORDS_COUNT_OFFSET, 1_000_000);
        RecordBatch.setBaseSequence(count, 0, RecordBatch.baseSequence(count, 0), new java.util.zip.CRC32C());
        assertEquals(Errors.CORRUPT_MESSAGE.code(), produceError(count));
        assertEquals(Errors.INVALID_REQUEST.code(), produceError(ByteBuffer.allocate(0)));
    }

    @Test
    void illegalTopicNamesAreRefused() throws Exception
    {
        try (RawClient client = new RawClient(broker.port()))
        {
            for (final String name : new String[] {"has space", "slash/name", "..", "", "x".repeat(250), "ünï"})
            {
                final TopicResultsResponse created = TopicResultsResponse.read(client.call(ApiKeys.CREATE_TOPICS,
                    new CreateTopicsRequest(List.of(new CreateTopicsRequest.Topic(name, 1, (short)1, Map.of())),
                    5000, false)));
                assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), created.results().get(0).errorCode(), name);
                final MetadataResponse metadata = MetadataResponse.read(client.call(ApiKeys.METADATA,
                    new MetadataRequest(List.of(name), true)));
                assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), metadata.topics().get(0).errorCode(), name);
            }
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            final ApiException e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> admin.createTopic(new NewTopic("bad*name", 1, (short)1)));
            assertTrue(e.getMessage().contains("bad*name"), e.getMessage());
        }
    }

    @Test
    void twoThousandConnectionsAtOnce() throws Exception
    {
        final List<Socket> sockets = new ArrayList<>();
        try
        {
            for (int i = 0; i < 2000; i++)
            {
                sockets.add(new Socket("127.0.0.1", broker.port()));
            }
            try (RawClient client = new RawClient(broker.port()))
            {
                assertEquals(Errors.NONE.code(), ApiVersionsResponse.read(client.call(ApiKeys.API_VERSIONS,
                    new ApiVersionsRequest())).errorCode());
            }
        }
        finally
        {
            for (final Socket socket : sockets)
            {
                socket.close();
            }
        }
    }

    @Test
    void aSilentConnectionIsClosedWhenIdle() throws Exception
    {
        try (RawClient silent = new RawClient(broker.port()))
        {
            try (RawClient other = new RawClient(broker.port()))
            {
                assertEquals(Errors.NONE.code(), ApiVersionsResponse.read(other.call(ApiKeys.API_VERSIONS,
                    new ApiVersionsRequest())).errorCode());
            }
            assertTrue(silent.isClosedByPeer(15_000), "an idle connection must be closed after connections.max.idle.ms");
        }
    }
}
