package io.sluice.broker.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.broker.partition.Partition;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The broker's Micrometer meters, served as Prometheus text at {@code /metrics}: records and bytes in and out per
 * topic, request latency percentiles per API, parked requests, connections, and log size and end offset per
 * partition. Per-topic counters are cached so the request path does one map lookup.
 */
public final class BrokerMetrics implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(BrokerMetrics.class);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, TopicMeters> topics = new ConcurrentHashMap<>();
    private final Map<Short, Timer> requestTimers = new ConcurrentHashMap<>();
    private final MultiGauge logSize;
    private final MultiGauge logEndOffset;
    private final Supplier<Collection<Partition>> partitions;
    private HttpServer http;

    /** Counters of one topic. */
    public static final class TopicMeters
    {
        public final Counter recordsIn;
        public final Counter bytesIn;
        public final Counter bytesOut;

        TopicMeters(final PrometheusMeterRegistry registry, final String topic)
        {
            recordsIn = Counter.builder("sluice.topic.records.in").tag("topic", topic)
                .description("Records appended").register(registry);
            bytesIn = Counter.builder("sluice.topic.bytes.in").tag("topic", topic).baseUnit("bytes")
                .description("Record batch bytes appended").register(registry);
            bytesOut = Counter.builder("sluice.topic.bytes.out").tag("topic", topic).baseUnit("bytes")
                .description("Record batch bytes fetched by consumers").register(registry);
        }
    }

    public BrokerMetrics(final Supplier<Collection<Partition>> partitions)
    {
        this.partitions = partitions;
        this.logSize = MultiGauge.builder("sluice.log.size").baseUnit("bytes")
            .description("Bytes of the partition's log").register(registry);
        this.logEndOffset = MultiGauge.builder("sluice.log.end.offset")
            .description("Offset the partition's next record gets").register(registry);
    }

    public TopicMeters topic(final String topic)
    {
        return topics.computeIfAbsent(topic, t -> new TopicMeters(registry, t));
    }

    /** Registers a gauge read at scrape time. */
    public void gauge(final String name, final String description, final Supplier<Number> value)
    {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /**
     * Registers a count kept by {@code owner}, read at scrape time; {@code unit} may be null. Micrometer holds the
     * owner weakly (a lambda made for the call would be collected and the count stay 0), so pass the long-lived
     * object that keeps the count.
     */
    public <T> void counter(final String name, final String unit, final String description, final T owner,
        final ToDoubleFunction<T> count)
    {
        FunctionCounter.builder(name, owner, count).baseUnit(unit).description(description).register(registry);
    }

    public void onResponse(final RequestHeader header, final long latencyNanos)
    {
        requestTimers.computeIfAbsent(header.apiKey, key ->
        {
            final ApiKeys api = ApiKeys.forId(key);
            return Timer.builder("sluice.request.latency").tag("api", api == null ? Short.toString(key) : api.name())
                .description("Time from receiving a request to queueing its response")
                .publishPercentiles(0.5, 0.95, 0.99, 0.999)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
        }).record(Duration.ofNanos(latencyNanos));
    }

    /** The metrics as Prometheus text, with partition gauges refreshed. */
    public String scrape()
    {
        final List<MultiGauge.Row<?>> sizes = new ArrayList<>();
        final List<MultiGauge.Row<?>> ends = new ArrayList<>();
        for (final Partition partition : partitions.get())
        {
            final Tags tags = Tags.of("topic", partition.topicPartition().topic(), "partition",
                Integer.toString(partition.topicPartition().partition()));
            sizes.add(MultiGauge.Row.of(tags, partition.log().sizeInBytes()));
            ends.add(MultiGauge.Row.of(tags, partition.log().logEndOffset()));
        }
        logSize.register(sizes, true);
        logEndOffset.register(ends, true);
        return registry.scrape();
    }

    /** Serves {@code /metrics} on {@code host:port}; returns the bound port. */
    public int startHttp(final String host, final int port) throws IOException
    {
        http = HttpServer.create(new InetSocketAddress(host, port), 64);
        http.createContext("/metrics", exchange ->
        {
            final byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        });
        http.start();
        final int bound = http.getAddress().getPort();
        LOG.info("Metrics at http://{}:{}/metrics", host, bound);
        return bound;
    }

    @Override
    public void close()
    {
        if (http != null)
        {
            http.stop(0);
        }
        registry.close();
    }
}
