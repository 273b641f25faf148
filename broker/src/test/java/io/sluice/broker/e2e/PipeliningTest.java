package io.sluice.broker.e2e;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.RawClient;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.ApiVersionsRequest;
import io.sluice.common.protocol.message.FetchRequest;
import io.sluice.common.protocol.message.FetchResponse;
import io.sluice.common.protocol.message.Message;
import io.sluice.common.protocol.message.MetadataRequest;
import io.sluice.common.protocol.message.MetadataResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests pipelined on one connection are answered in the order they were sent, however their handling finishes:
 * a long-polling fetch parked in the purgatory holds back the answers to the requests behind it until it completes,
 * whether its wait runs out or another connection's produce completes it.
 */
class PipeliningTest
{
    private static final String TOPIC = "pipelined";

    @TempDir
    static Path tmp;

    private static BrokerProcess broker;

    @BeforeAll
    static void start() throws Exception
    {
        broker = new BrokerProcess(tmp.resolve("data")).start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            admin.createTopic(new NewTopic(TOPIC, 2, (short)1));
        }
    }

    @AfterAll
    static void stop() throws Exception
    {
        broker.stop();
    }

    @Test
    void answersWaitBehindAFetchWhoseWaitRunsOut() throws Exception
    {
        try (RawClient client = new RawClient(broker.port()))
        {
            sendAtOnce(client, frame(ApiKeys.FETCH, 1, fetchFromStart(0, 300)), frame(ApiKeys.METADATA, 2,
                new MetadataRequest(List.of(TOPIC), false)), frame(ApiKeys.API_VERSIONS, 3, new ApiVersionsRequest()));

            final MessageReader fetch = expect(client, 1);
            assertEquals(0, FetchResponse.read(fetch).topics().get(0).partitions().get(0).records().sizeInBytes(),
                "an empty partition: the fetch ended when its wait ran out");
            final MetadataResponse metadata = MetadataResponse.read(expect(client, 2));
            assertEquals(Errors.NONE.code(), metadata.topics().get(0).errorCode());
            expect(client, 3);
        }
    }

    @Test
    void answersWaitBehindAFetchThatAnotherConnectionsProduceCompletes() throws Exception
    {
        try (RawClient client = new RawClient(broker.port()))
        {
            sendAtOnce(client, frame(ApiKeys.FETCH, 7, fetchFromStart(1, 60_000)), frame(ApiKeys.METADATA, 8,
                new MetadataRequest(List.of(TOPIC), false)));
            try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers",
                broker.bootstrap()), new StringSerializer(), new StringSerializer()))
            {
                producer.send(new ProducerRecord<>(TOPIC, 1, null, "k", "completes the fetch", List.of())).get();
            }

            final FetchResponse fetch = FetchResponse.read(expect(client, 7));
            assertTrue(fetch.topics().get(0).partitions().get(0).records().sizeInBytes() > 0,
                "the produce completed the parked fetch with its record");
            expect(client, 8);
        }
    }

    /** A fetch of {@code partition} from offset 0 that waits up to {@code maxWaitMs} for one byte. */
    private static FetchRequest fetchFromStart(final int partition, final int maxWaitMs)
    {
        return new FetchRequest(FetchRequest.CONSUMER_REPLICA_ID, maxWaitMs, 1, 1024 * 1024, (byte)0, List.of(
            new FetchRequest.TopicData(TOPIC, List.of(new FetchRequest.PartitionData(partition, -1, 0, 0,
                1024 * 1024)))));
    }

    private static MessageReader expect(final RawClient client, final int correlationId) throws Exception
    {
        final MessageReader reader = client.readResponse();
        assertEquals(correlationId, reader.readInt(), "answers out of request order");
        return reader;
    }

    private static byte[] frame(final ApiKeys api, final int correlationId, final Message body)
    {
        return RawClient.frame(api.id, api.latestVersion, correlationId, body);
    }

    /** Writes the frames in one go, so the broker reads them before it has answered any. */
    private static void sendAtOnce(final RawClient client, final byte[]... frames) throws java.io.IOException
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (final byte[] frame : frames)
        {
            all.writeBytes(frame);
        }
        client.sendBytes(all.toByteArray());
    }
}
