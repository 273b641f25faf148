package io.sluice.broker.e2e;

import io.sluice.broker.test.FreePorts;
import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.RawClient;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.message.MetadataRequest;
import io.sluice.common.protocol.message.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client that reaches a broker still starting is answered once the broker is ready, never with a view of the
 * cluster it cannot use. (The broker binds its port before it registers, since the registration names the port;
 * `sluice topic create` run the moment the port opened used to fail with "NoSuchElementException": the metadata
 * it got named no broker.)
 */
class StartupTest
{
    @TempDir
    Path tmp;

    @Test
    void aClientConnectingTheMomentThePortOpensIsServedOnceTheBrokerIsReady() throws Exception
    {
        final int port = FreePorts.next();
        final CompletableFuture<MetadataResponse> firstAnswer = CompletableFuture.supplyAsync(() ->
        {
            try (RawClient client = connectAsSoonAsPossible(port))
            {
                return MetadataResponse.read(client.call(ApiKeys.METADATA, new MetadataRequest(null, false)));
            }
            catch (final IOException e)
            {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (BrokerProcess broker = new BrokerProcess(tmp.resolve("data"), "listeners=127.0.0.1:" + port).start())
        {
            final MetadataResponse metadata = firstAnswer.get(60, TimeUnit.SECONDS);
            assertEquals(1, metadata.brokers().size(), () -> "brokers in the first answer: " + metadata.brokers());
            assertEquals(port, metadata.brokers().get(0).port());
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
            {
                admin.createTopic(new NewTopic("early", 3, (short)1));
                assertEquals(3, admin.describeTopics(java.util.List.of("early")).get("early").partitions().size());
            }
        }
    }


    /** Tries to connect every millisecond, for at most 60 s, so the first request goes out as the port opens. */
    private static RawClient connectAsSoonAsPossible(final int port)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            try
            {
                return new RawClient(port);
            }
            catch (final IOException notListeningYet)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        throw new AssertionError("port " + port + " never opened");
    }
}
