package io.sluice.broker.metadata.quorum;

import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.PartitionImage;
import io.sluice.broker.metadata.TopicImage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ActiveControllerTest
{
    private static MetadataImage image(final List<Integer> liveBrokers, final PartitionImage... partitions)
    {
        final Map<Integer, BrokerRegistration> brokers = new HashMap<>();
        liveBrokers.forEach(id -> brokers.put(id, new BrokerRegistration(id, "127.0.0.1", 9092 + id)));
        return new MetadataImage(1, "c", 0, brokers, Map.of("t", new TopicImage("t", Map.of(),
            new ArrayList<>(List.of(partitions)))));
    }

    @Test
    void aPreferredReplicaBackInTheIsrGetsItsPartitionsBack()
    {
        final MetadataImage image = image(List.of(0, 1, 2),
            new PartitionImage(0, List.of(0, 1, 2), 1, 3, List.of(1, 2, 0)),
            new PartitionImage(1, List.of(1, 2, 0), 1, 0, List.of(1, 2, 0)),
            new PartitionImage(2, List.of(2, 0, 1), 2, 0, List.of(2, 0, 1)));
        assertEquals(List.of(new MetadataCommand.Election("t", 0, 3, 0, false)),
            ActiveController.preferredElections(image, 10));
    }

    @Test
    void aPreferredReplicaOutsideTheIsrOrFencedWaits()
    {
        final MetadataImage notInSync = image(List.of(0, 1, 2),
            new PartitionImage(0, List.of(0, 1, 2), 1, 3, List.of(1, 2)));
        assertEquals(List.of(), ActiveController.preferredElections(notInSync, 10));
        final MetadataImage fenced = image(List.of(1, 2),
            new PartitionImage(0, List.of(0, 1, 2), 1, 3, List.of(1, 2, 0)));
        assertEquals(List.of(), ActiveController.preferredElections(fenced, 10));
    }

    @Test
    void imbalanceBelowThePercentageIsLeftAlone()
    {
        final List<PartitionImage> partitions = new ArrayList<>();
        for (int p = 0; p < 20; p++)
        {
            partitions.add(new PartitionImage(p, List.of(0, 1), p == 0 ? 1 : 0, 1, List.of(0, 1)));
        }
        final MetadataImage image = image(List.of(0, 1), partitions.toArray(new PartitionImage[0]));
        assertEquals(List.of(), ActiveController.preferredElections(image, 10), "1 of 20 is 5 %");
        assertEquals(1, ActiveController.preferredElections(image, 4).size());
    }

    @Test
    void uncleanElectionPicksALiveReplicaOfALeaderlessPartition()
    {
        final MetadataImage image = image(List.of(1, 2),
            new PartitionImage(0, List.of(0, 1, 2), -1, 4, List.of(0)),
            new PartitionImage(1, List.of(1, 2, 0), 1, 0, List.of(1)));
        assertEquals(List.of(new MetadataCommand.Election("t", 0, 4, 1, true)),
            ActiveController.uncleanElections(image, true));
        assertEquals(List.of(), ActiveController.uncleanElections(image, false), "off unless enabled");
    }

    @Test
    void aTopicConfigOverridesTheBrokersUncleanElectionSetting()
    {
        final Map<Integer, BrokerRegistration> brokers = Map.of(1, new BrokerRegistration(1, "127.0.0.1", 9093));
        final PartitionImage leaderless = new PartitionImage(0, List.of(0, 1), -1, 2, List.of(0));
        final MetadataImage image = new MetadataImage(1, "c", 0, brokers, Map.of(
            "lossy", new TopicImage("lossy", Map.of("unclean.leader.election.enable", "true"), List.of(leaderless)),
            "safe", new TopicImage("safe", Map.of("unclean.leader.election.enable", "false"), List.of(leaderless))));
        assertEquals(List.of(new MetadataCommand.Election("lossy", 0, 2, 1, true)),
            ActiveController.uncleanElections(image, false));
        assertEquals(List.of(new MetadataCommand.Election("lossy", 0, 2, 1, true)),
            ActiveController.uncleanElections(image, true));
    }
}
