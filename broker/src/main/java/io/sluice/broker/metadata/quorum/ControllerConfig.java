package io.sluice.broker.metadata.quorum;

/**
 * What the active controller does on its own: fence brokers whose heartbeats stop, move leadership back to preferred
 * replicas, and (only if asked) elect replicas outside the ISR.
 *
 * @param heartbeatIntervalMs               broker.heartbeat.interval.ms
 * @param sessionTimeoutMs                  broker.session.timeout.ms
 * @param autoLeaderRebalance               auto.leader.rebalance.enable
 * @param leaderImbalanceCheckIntervalMs    leader.imbalance.check.interval.seconds, in ms
 * @param leaderImbalancePerBrokerPercent   leader.imbalance.per.broker.percentage
 * @param uncleanLeaderElection             unclean.leader.election.enable
 */
public record ControllerConfig(long heartbeatIntervalMs, long sessionTimeoutMs, boolean autoLeaderRebalance,
    long leaderImbalanceCheckIntervalMs, int leaderImbalancePerBrokerPercent, boolean uncleanLeaderElection)
{
    /** Kafka's defaults. */
    public static ControllerConfig defaults()
    {
        return new ControllerConfig(2_000, 9_000, true, 300_000, 10, false);
    }
}
