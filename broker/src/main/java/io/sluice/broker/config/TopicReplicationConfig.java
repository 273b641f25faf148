package io.sluice.broker.config;

import io.sluice.common.errors.ConfigException;

import java.util.HashMap;
import java.util.Map;

/**
 * The topic-level keys that concern replication rather than the log, as in Kafka: {@code min.insync.replicas} and
 * {@code unclean.leader.election.enable}, each overriding the broker's value of the same name. The rest of a
 * topic's configs belong to its log.
 */
public final class TopicReplicationConfig
{
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";

    private TopicReplicationConfig()
    {
    }

    /**
     * Checks the replication keys of a topic's configs.
     *
     * @throws ConfigException naming the key and the value that is wrong.
     */
    public static void validate(final Map<String, String> configs)
    {
        final String minInsync = configs.get(MIN_INSYNC_REPLICAS);
        if (minInsync != null)
        {
            try
            {
                if (Integer.parseInt(minInsync.trim()) < 1)
                {
                    throw new NumberFormatException();
                }
            }
            catch (final NumberFormatException e)
            {
                throw new ConfigException("Invalid value " + minInsync + " for configuration " + MIN_INSYNC_REPLICAS
                    + ": must be an integer of at least 1");
            }
        }
        final String unclean = configs.get(UNCLEAN_LEADER_ELECTION_ENABLE);
        if (unclean != null && !"true".equalsIgnoreCase(unclean.trim()) && !"false".equalsIgnoreCase(unclean.trim()))
        {
            throw new ConfigException("Invalid value " + unclean + " for configuration "
                + UNCLEAN_LEADER_ELECTION_ENABLE + ": must be true or false");
        }
    }

    /** The configs that belong to the log: all but the replication keys. */
    public static Map<String, String> logConfigs(final Map<String, String> configs)
    {
        if (!configs.containsKey(MIN_INSYNC_REPLICAS) && !configs.containsKey(UNCLEAN_LEADER_ELECTION_ENABLE))
        {
            return configs;
        }
        final Map<String, String> log = new HashMap<>(configs);
        log.remove(MIN_INSYNC_REPLICAS);
        log.remove(UNCLEAN_LEADER_ELECTION_ENABLE);
        return log;
    }

    /** The topic's min.insync.replicas, or the broker's. Configs were validated when the topic was created. */
    public static int minInsyncReplicas(final Map<String, String> configs, final int brokerDefault)
    {
        final String value = configs.get(MIN_INSYNC_REPLICAS);
        return value == null ? brokerDefault : Integer.parseInt(value.trim());
    }

    /** The topic's unclean.leader.election.enable, or the broker's. */
    public static boolean uncleanLeaderElection(final Map<String, String> configs, final boolean brokerDefault)
    {
        final String value = configs.get(UNCLEAN_LEADER_ELECTION_ENABLE);
        return value == null ? brokerDefault : Boolean.parseBoolean(value.trim());
    }
}
