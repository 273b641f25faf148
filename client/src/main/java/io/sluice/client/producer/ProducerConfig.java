package io.sluice.client.producer;

import io.sluice.client.internals.ClientConfigs;
import io.sluice.client.internals.CommonClientConfig;
import io.sluice.common.config.ConfigDef;
import io.sluice.common.errors.ConfigException;
import io.sluice.common.record.CompressionType;

import java.util.Map;

import static io.sluice.common.config.ConfigDef.Type.INT;
import static io.sluice.common.config.ConfigDef.Type.LONG;
import static io.sluice.common.config.ConfigDef.Type.STRING;
import static io.sluice.common.config.ConfigDef.atLeast;
import static io.sluice.common.config.ConfigDef.oneOf;

/** The producer's settings, with Kafka's names and defaults. */
public final class ProducerConfig
{
    public static final String ACKS = "acks";
    public static final String BATCH_SIZE = "batch.size";
    public static final String LINGER_MS = "linger.ms";
    public static final String BUFFER_MEMORY = "buffer.memory";
    public static final String MAX_BLOCK_MS = "max.block.ms";
    public static final String MAX_IN_FLIGHT = "max.in.flight.requests.per.connection";
    public static final String RETRIES = "retries";
    public static final String DELIVERY_TIMEOUT_MS = "delivery.timeout.ms";
    public static final String ENABLE_IDEMPOTENCE = "enable.idempotence";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String MAX_REQUEST_SIZE = "max.request.size";
    public static final String KEY_SERIALIZER = "key.serializer";
    public static final String VALUE_SERIALIZER = "value.serializer";

    static final ConfigDef DEFINITION = ClientConfigs.common()
        .define(ACKS, STRING, "all", oneOf("all", "-1", "0", "1"),
            "all: every in-sync replica has the record; 1: the leader wrote it; 0: no answer.")
        .define(BATCH_SIZE, INT, 16_384, atLeast(0), "Bytes of records gathered per partition into one batch.")
        .define(LINGER_MS, LONG, 5L, atLeast(0), "How long a batch may wait for more records.")
        .define(BUFFER_MEMORY, LONG, 32L * 1024 * 1024, atLeast(1024), "Bytes of batches waiting to be sent.")
        .define(MAX_BLOCK_MS, LONG, 60_000L, atLeast(0), "How long send() may block for metadata or memory.")
        .define(MAX_IN_FLIGHT, INT, 5, atLeast(1), "Unanswered requests per broker connection.")
        .define(RETRIES, INT, Integer.MAX_VALUE, atLeast(0), "Resends of a failed batch within the delivery timeout.")
        .define(DELIVERY_TIMEOUT_MS, LONG, 120_000L, atLeast(1), "Bound on the time from send() to its outcome.")
        .define(ENABLE_IDEMPOTENCE, STRING, "default", oneOf("default", "true", "false"),
            "Producer id and sequence numbers so retries are written once; on unless acks is not all.")
        .define(COMPRESSION_TYPE, STRING, "none", oneOf("none", "lz4"), "Batch compression.")
        .define(MAX_REQUEST_SIZE, INT, 1024 * 1024, atLeast(1), "Largest request, and so largest record.")
        .define(KEY_SERIALIZER, STRING, null, "Class of the key serializer, unless one is passed in.")
        .define(VALUE_SERIALIZER, STRING, null, "Class of the value serializer, unless one is passed in.");

    final CommonClientConfig common;
    final short acks;
    final int batchSize;
    final long lingerMs;
    final long bufferMemory;
    final long maxBlockMs;
    final int maxInFlight;
    final int retries;
    final long deliveryTimeoutMs;
    final boolean idempotent;
    final CompressionType compression;
    final int maxRequestSize;
    final String keySerializer;
    final String valueSerializer;

    ProducerConfig(final Map<String, ?> props)
    {
        final Map<String, Object> v = DEFINITION.parse(props, false);
        common = CommonClientConfig.from(v, "sluice-producer");
        final String acksValue = (String)v.get(ACKS);
        acks = "all".equals(acksValue) ? -1 : Short.parseShort(acksValue);
        batchSize = (Integer)v.get(BATCH_SIZE);
        lingerMs = (Long)v.get(LINGER_MS);
        bufferMemory = (Long)v.get(BUFFER_MEMORY);
        maxBlockMs = (Long)v.get(MAX_BLOCK_MS);
        maxInFlight = (Integer)v.get(MAX_IN_FLIGHT);
        retries = (Integer)v.get(RETRIES);
        deliveryTimeoutMs = (Long)v.get(DELIVERY_TIMEOUT_MS);
        compression = CompressionType.forName((String)v.get(COMPRESSION_TYPE));
        maxRequestSize = (Integer)v.get(MAX_REQUEST_SIZE);
        keySerializer = (String)v.get(KEY_SERIALIZER);
        valueSerializer = (String)v.get(VALUE_SERIALIZER);
        final String idempotence = (String)v.get(ENABLE_IDEMPOTENCE);
        if ("true".equals(idempotence))
        {
            if (acks != -1)
            {
                throw new ConfigException("enable.idempotence=true needs acks=all, but acks is " + acksValue);
            }
            if (maxInFlight > 5)
            {
                throw new ConfigException("enable.idempotence=true needs " + MAX_IN_FLIGHT
                    + " of at most 5, but it is " + maxInFlight);
            }
        }
        idempotent = "true".equals(idempotence) || "default".equals(idempotence) && acks == -1 && maxInFlight <= 5;
        if (deliveryTimeoutMs < lingerMs + common.requestTimeoutMs())
        {
            throw new ConfigException(DELIVERY_TIMEOUT_MS + " (" + deliveryTimeoutMs + ") must be at least "
                + LINGER_MS + " + " + ClientConfigs.REQUEST_TIMEOUT_MS + " (" + (lingerMs + common.requestTimeoutMs())
                + ")");
        }
    }
}
