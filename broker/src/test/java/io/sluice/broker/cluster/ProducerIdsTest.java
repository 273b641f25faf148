package io.sluice.broker.cluster;

import io.sluice.broker.test.RawClient;
import io.sluice.broker.test.TestCluster;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.InitProducerIdRequest;
import io.sluice.common.protocol.message.InitProducerIdResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Producer ids identify a producer to every broker, so no two brokers may hand out the same one. */
class ProducerIdsTest
{
    @TempDir
    Path tmp;

    @Test
    void everyBrokerHandsOutDifferentProducerIdsAcrossRestarts() throws Exception
    {
        try (TestCluster cluster = TestCluster.start(tmp, 3))
        {
            final Set<Long> ids = new HashSet<>();
            for (int round = 0; round < 2; round++)
            {
                for (int b = 0; b < 3; b++)
                {
                    try (RawClient client = new RawClient(cluster.broker(b).port()))
                    {
                        for (int i = 0; i < 5; i++)
                        {
                            final InitProducerIdResponse response = InitProducerIdResponse.read(client.call(
                                ApiKeys.INIT_PRODUCER_ID, new InitProducerIdRequest(null, 0, -1L, (short)-1)));
                            assertEquals(Errors.NONE.code(), response.errorCode());
                            assertTrue(ids.add(response.producerId()), "producer id " + response.producerId()
                                + " handed out twice");
                        }
                    }
                }
                // A restarted broker reserves a fresh block rather than reuse its last one.
                cluster.broker(1).kill();
                cluster.broker(1).start();
            }
            assertEquals(30, ids.size());
        }
    }
}
