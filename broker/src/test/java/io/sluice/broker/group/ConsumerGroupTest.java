package io.sluice.broker.group;

import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.PartitionImage;
import io.sluice.broker.metadata.TopicImage;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reconciliation rules, driven heartbeat by heartbeat. */
class ConsumerGroupTest
{
    private static final GroupConfig CONFIG = new GroupConfig(45_000, 500, 1000, 50, (short)1, 1 << 20,
        60_000, 60_000, 4096, 5000);

    private static MetadataImage image(final int partitions)
    {
        final List<PartitionImage> ps = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            ps.add(new PartitionImage(p, List.of(0), 0, 0, List.of(0)));
        }
        return new MetadataImage(1, "c", 0, Map.of(0, new BrokerRegistration(0, "h", 1)),
            Map.of("t", new TopicImage("t", Map.of(), ps)));
    }

    @Test
    void aPartitionMovesOnlyAfterItsOwnerReleasedIt()
    {
        final MetadataImage image = image(4);
        final ConsumerGroup group = new ConsumerGroup("g", 0, 0);
        final HeartbeatResult a = group.heartbeat(null, 0, 60_000, List.of("t"), null, Set.of(), "a", "h", 0, image,
            CONFIG);
        assertEquals(4, a.assignment().size());
        final HeartbeatResult b = group.heartbeat(null, 0, 60_000, List.of("t"), null, Set.of(), "b", "h", 1, image,
            CONFIG);
        assertTrue(b.assignment().isEmpty(), "b gets nothing while a still owns everything");
        // a is told to keep two; until it confirms, b still gets nothing.
        final HeartbeatResult a2 = group.heartbeat(a.memberId(), a.memberEpoch(), 60_000, null, null,
            a.assignment(), "a", "h", 2, image, CONFIG);
        assertEquals(2, a2.assignment().size());
        assertEquals(a.memberEpoch(), a2.memberEpoch(), "the epoch moves only once a has released");
        assertTrue(group.heartbeat(b.memberId(), b.memberEpoch(), 60_000, null, null, Set.of(), "b", "h", 3, image,
            CONFIG).assignment().isEmpty());
        final HeartbeatResult a3 = group.heartbeat(a.memberId(), a.memberEpoch(), 60_000, null, null,
            a2.assignment(), "a", "h", 4, image, CONFIG);
        assertTrue(a3.memberEpoch() > a.memberEpoch());
        final HeartbeatResult b2 = group.heartbeat(b.memberId(), b.memberEpoch(), 60_000, null, null, Set.of(), "b",
            "h", 5, image, CONFIG);
        assertEquals(2, b2.assignment().size());
        final Set<TopicPartition> both = new HashSet<>(a3.assignment());
        both.retainAll(b2.assignment());
        assertTrue(both.isEmpty());
        assertEquals(GroupState.STABLE, group.state());
    }

    @Test
    void expiredAndFencedMembersLoseTheirPartitions()
    {
        final MetadataImage image = image(2);
        final ConsumerGroup group = new ConsumerGroup("g", 0, 0);
        final HeartbeatResult a = group.heartbeat(null, 0, 60_000, List.of("t"), null, Set.of(), "a", "h", 0, image,
            CONFIG);
        assertEquals(List.of(), group.expireMembers(44_999));
        assertEquals(1, group.expireMembers(45_000).size());
        final ApiException unknown = assertThrows(ApiException.class, () -> group.heartbeat(a.memberId(),
            a.memberEpoch(), 60_000, null, null, Set.of(), "a", "h", 45_001, image, CONFIG));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), unknown.code());
        final HeartbeatResult b = group.heartbeat(null, 0, 60_000, List.of("t"), null, Set.of(), "b", "h", 45_002,
            image, CONFIG);
        assertEquals(2, b.assignment().size(), "nothing waits for the expired member");
        final ApiException fenced = assertThrows(ApiException.class, () -> group.heartbeat(b.memberId(),
            b.memberEpoch() + 5, 60_000, null, null, Set.of(), "b", "h", 45_003, image, CONFIG));
        assertEquals(Errors.FENCED_MEMBER_EPOCH.code(), fenced.code());
    }

    @Test
    void aMemberThatDoesNotReleaseWithinItsRebalanceTimeoutIsRemoved()
    {
        final MetadataImage image = image(2);
        final ConsumerGroup group = new ConsumerGroup("g", 0, 0);
        final HeartbeatResult a = group.heartbeat(null, 0, 1000, List.of("t"), null, Set.of(), "a", "h", 0, image,
            CONFIG);
        final HeartbeatResult b = group.heartbeat(null, 0, 1000, List.of("t"), null, Set.of(), "b", "h", 10, image,
            CONFIG);
        group.heartbeat(a.memberId(), a.memberEpoch(), 1000, null, null, a.assignment(), "a", "h", 20, image,
            CONFIG);
        assertTrue(group.expireMembers(1019).isEmpty());
        assertEquals(1, group.expireMembers(1020).size());
        assertEquals(2, group.heartbeat(b.memberId(), b.memberEpoch(), 1000, null, null, Set.of(), "b", "h", 1021,
            image, CONFIG).assignment().size());
    }
}
