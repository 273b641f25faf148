package io.sluice.broker.cluster;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.GroupMember;
import io.sluice.broker.test.TestCluster;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A follower that stops fetching leaves the ISR after replica.lag.time.max.ms, so acks=all goes on with the other
 * two; down for a long stretch of writes, it catches up when it returns and rejoins the ISR.
 */
class FollowerCatchUpTest
{
    private static final String TOPIC = "lagging";
    private static final int RECORDS = 200_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void aLaggingFollowerLeavesTheIsrAndRejoinsOnceCaughtUp() throws Exception
    {
        // A session far longer than the lag limit: the follower leaves the ISR for lagging, not for being fenced.
        try (TestCluster cluster = TestCluster.start(tmp, 3, "replica.lag.time.max.ms=2000",
            "broker.session.timeout.ms=60000", "log.segment.bytes=1048576"))
        {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrap())))
            {
                admin.createTopic(new NewTopic(TOPIC, 1, (short)3));
            }
            final PartitionInfo before = cluster.partition(0, TOPIC, 0);
            final int followerId = before.replicas().stream().filter(r -> r != before.leader()).findFirst()
                .orElseThrow();
            final int leaderId = before.leader();
            final BrokerProcess follower = cluster.broker(followerId);
            final String value = "x".repeat(100);
            try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers",
                cluster.broker(leaderId).bootstrap(), "acks", "all", "request.timeout.ms", "60000"),
                new StringSerializer(), new StringSerializer()))
            {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, null, value, List.of())).get();
                follower.signal("STOP");
                // Acknowledged only once the frozen follower is out of the ISR.
                producer.send(new ProducerRecord<>(TOPIC, 0, null, null, value, List.of())).get();
                assertEquals(2, cluster.partition(leaderId, TOPIC, 0).isr().size());
                follower.kill();
                for (int i = 2; i < RECORDS; i++)
                {
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, null, value, List.of()));
                }
                producer.flush();
            }
            follower.start();
            GroupMember.await(() -> cluster.partition(leaderId, TOPIC, 0).isr().size() == 3, 120_000,
                "the returning follower to rejoin the ISR");
            assertEquals(RECORDS, TestCluster.logEndOffset(follower, TOPIC, 0), "the follower copied every record");
            assertEquals(RECORDS, TestCluster.logEndOffset(cluster.broker(leaderId), TOPIC, 0));
        }
    }
}
