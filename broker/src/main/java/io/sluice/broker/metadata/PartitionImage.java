package io.sluice.broker.metadata;

import java.util.List;

/**
 * One partition's placement: its replicas, current leader and leader epoch (bumped on every leader change), and the
 * in-sync replicas. Immutable.
 */
public record PartitionImage(int partition, List<Integer> replicas, int leader, int leaderEpoch, List<Integer> isr)
{
}
