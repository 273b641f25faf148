package io.sluice.broker.metadata.quorum;

import io.sluice.broker.test.FreePorts;
import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.PartitionImage;
import io.sluice.broker.test.GroupMember;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Ratis metadata quorum with one and with three voters, on real sockets and files. */
class QuorumMetadataStoreTest
{
    @TempDir
    Path tmp;

    @Test
    void aOneVoterQuorumAppliesChangesAndRecoversThemAfterARestart() throws Exception
    {
        final List<QuorumMetadataStore.Voter> voters = List.of(new QuorumMetadataStore.Voter(0, "127.0.0.1", 0));
        try (QuorumMetadataStore store = new QuorumMetadataStore(0, voters, tmp.resolve("q0"), 10_000))
        {
            final List<MetadataImage> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            store.addListener(seen::add);
            store.registerBroker(new BrokerRegistration(0, "127.0.0.1", 9092));
            assertNotNull(store.createTopic("a", 3, 1, Map.of("cleanup.policy", "compact")));
            assertEquals(3, store.image().topic("a").partitionCount());
            assertEquals("compact", store.image().topic("a").configs().get("cleanup.policy"));
            assertEquals(Errors.TOPIC_ALREADY_EXISTS.code(), assertThrows(ApiException.class,
                () -> store.createTopic("a", 1, 1, Map.of())).code());
            assertEquals(Errors.INVALID_REPLICATION_FACTOR.code(), assertThrows(ApiException.class,
                () -> store.createTopic("b", 1, 2, Map.of())).code());
            assertTrue(store.deleteTopic("a"));
            assertFalse(store.deleteTopic("a"));
            store.createTopic("kept", 2, 1, Map.of());
            for (int i = 1; i < seen.size(); i++)
            {
                assertTrue(seen.get(i).version() > seen.get(i - 1).version(), "images arrive in order");
            }
        }
        try (QuorumMetadataStore store = new QuorumMetadataStore(0, voters, tmp.resolve("q0"), 10_000))
        {
            GroupMember.await(() -> store.image().topic("kept") != null, 10_000, "the log to be replayed");
            assertNull(store.image().topic("a"));
            assertEquals(Set.of(0), store.image().brokers().keySet());
            store.createTopic("after-restart", 1, 1, Map.of());
        }
    }

    @Test
    void threeVotersAgreeAndKeepWorkingWithoutOne() throws Exception
    {
        final List<QuorumMetadataStore.Voter> voters = new ArrayList<>();
        for (int id = 0; id < 3; id++)
        {
            voters.add(new QuorumMetadataStore.Voter(id, "127.0.0.1", FreePorts.next()));
        }
        final List<QuorumMetadataStore> stores = new ArrayList<>();
        try
        {
            for (int id = 0; id < 3; id++)
            {
                stores.add(new QuorumMetadataStore(id, voters, tmp.resolve("v" + id), 15_000));
            }
            for (int id = 0; id < 3; id++)
            {
                stores.get(id).registerBroker(new BrokerRegistration(id, "127.0.0.1", 9092 + id));
            }
            stores.get(1).createTopic("replicated", 6, 3, Map.of());
            final MetadataImage image = stores.get(1).image();
            for (final QuorumMetadataStore store : stores)
            {
                GroupMember.await(() -> store.image().version() >= image.version(), 10_000, "every voter to apply");
                assertEquals(image.topic("replicated"), store.image().topic("replicated"), "same placement");
            }
            final Set<Integer> leaders = new HashSet<>();
            for (final PartitionImage p : image.topic("replicated").partitions())
            {
                assertEquals(3, new HashSet<>(p.replicas()).size());
                leaders.add(p.leader());
            }
            assertEquals(Set.of(0, 1, 2), leaders, "leaders spread over the brokers");

            stores.remove(0).close();
            stores.get(0).createTopic("without-one", 1, 2, Map.of());
            for (final QuorumMetadataStore store : stores)
            {
                GroupMember.await(() -> store.image().topic("without-one") != null, 10_000,
                    "the two remaining voters to apply");
            }
        }
        finally
        {
            for (final QuorumMetadataStore store : stores)
            {
                store.close();
            }
        }
    }

}
