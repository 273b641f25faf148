package io.sluice.common.protocol;

/**
 * Every API of the protocol with its key (Kafka's numbers) and the versions this build speaks. A version is added
 * here, never changed in place, so old clients keep working.
 */
public enum ApiKeys
{
    PRODUCE(0, 0, 0),
    FETCH(1, 0, 1),
    LIST_OFFSETS(2, 0, 0),
    METADATA(3, 0, 0),
    OFFSET_COMMIT(8, 0, 0),
    OFFSET_FETCH(9, 0, 0),
    FIND_COORDINATOR(10, 0, 0),
    DESCRIBE_GROUPS(15, 0, 0),
    LIST_GROUPS(16, 0, 0),
    API_VERSIONS(18, 0, 0),
    CREATE_TOPICS(19, 0, 0),
    DELETE_TOPICS(20, 0, 0),
    INIT_PRODUCER_ID(22, 0, 0),
    OFFSETS_FOR_LEADER_EPOCH(23, 0, 0),
    DELETE_GROUPS(42, 0, 0),
    CONSUMER_GROUP_HEARTBEAT(68, 0, 0);

    private static final ApiKeys[] BY_ID = new ApiKeys[128];

    static
    {
        for (final ApiKeys key : values())
        {
            BY_ID[key.id] = key;
        }
    }

    public final short id;
    public final short oldestVersion;
    public final short latestVersion;

    ApiKeys(final int id, final int oldestVersion, final int latestVersion)
    {
        this.id = (short)id;
        this.oldestVersion = (short)oldestVersion;
        this.latestVersion = (short)latestVersion;
    }

    /** The API with this key, or null if this build does not know it. */
    public static ApiKeys forId(final int id)
    {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    public boolean isVersionSupported(final short version)
    {
        return version >= oldestVersion && version <= latestVersion;
    }
}
