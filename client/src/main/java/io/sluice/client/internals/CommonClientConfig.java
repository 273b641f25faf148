package io.sluice.client.internals;

import io.sluice.client.network.NetworkClient;

import java.util.Map;

/**
 * The settings every client shares ({@link ClientConfigs}), read once from parsed values, and the connections and
 * metadata they describe.
 */
public record CommonClientConfig(String bootstrapServers, String clientId, long requestTimeoutMs,
    long defaultApiTimeoutMs, long metadataMaxAgeMs, long retryBackoffMs)
{
    /** Reads the shared keys from values parsed with a definition built on {@link ClientConfigs#common()}. */
    public static CommonClientConfig from(final Map<String, Object> values, final String defaultClientId)
    {
        final String id = (String)values.get(ClientConfigs.CLIENT_ID);
        return new CommonClientConfig((String)values.get(ClientConfigs.BOOTSTRAP_SERVERS),
            id.isEmpty() ? defaultClientId : id,
            (Long)values.get(ClientConfigs.REQUEST_TIMEOUT_MS),
            (Long)values.get(ClientConfigs.DEFAULT_API_TIMEOUT_MS),
            (Long)values.get(ClientConfigs.METADATA_MAX_AGE_MS),
            (Long)values.get(ClientConfigs.RETRY_BACKOFF_MS));
    }

    public NetworkClient newNetworkClient()
    {
        return new NetworkClient(clientId, requestTimeoutMs);
    }

    /** Metadata fetched through {@code network}, starting from the bootstrap servers. */
    public Metadata newMetadata(final NetworkClient network)
    {
        return new Metadata(network, Metadata.parseBootstrap(bootstrapServers), metadataMaxAgeMs);
    }
}
