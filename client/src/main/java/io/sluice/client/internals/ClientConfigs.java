package io.sluice.client.internals;

import io.sluice.common.config.ConfigDef;

import static io.sluice.common.config.ConfigDef.Type.LONG;
import static io.sluice.common.config.ConfigDef.Type.STRING;
import static io.sluice.common.config.ConfigDef.atLeast;

/** The keys every client shares, defined once. */
public final class ClientConfigs
{
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String CLIENT_ID = "client.id";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String DEFAULT_API_TIMEOUT_MS = "default.api.timeout.ms";
    public static final String METADATA_MAX_AGE_MS = "metadata.max.age.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";

    private ClientConfigs()
    {
    }

    /** A definition holding the shared keys, to which a client adds its own. */
    public static ConfigDef common()
    {
        return new ConfigDef()
            .define(BOOTSTRAP_SERVERS, STRING, "127.0.0.1:9092", "host:port list of brokers to start from.")
            .define(CLIENT_ID, STRING, "", "Name sent with every request, for broker logs and metrics.")
            .define(REQUEST_TIMEOUT_MS, LONG, 30_000L, atLeast(1), "How long to wait for a broker's answer.")
            .define(DEFAULT_API_TIMEOUT_MS, LONG, 60_000L, atLeast(1), "Bound of blocking calls without a timeout.")
            .define(METADATA_MAX_AGE_MS, LONG, 300_000L, atLeast(0), "Refresh metadata at least this often.")
            .define(RETRY_BACKOFF_MS, LONG, 100L, atLeast(0), "Pause before retrying a failed request.");
    }
}
