package io.sluice.client.producer;

import io.sluice.common.errors.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionerTest
{
    @Test
    void murmur2MatchesKafkasHashes()
    {
        // Hashes Kafka's Utils.murmur2 produces for these UTF-8 keys.
        final Map<String, Integer> expected = Map.of("1", -1993445489, "12", 126087238, "123", -267702483,
            "1234", -1614185708, "12345", -1188365604);
        expected.forEach((key, hash) -> assertEquals((int)hash,
            Partitioner.murmur2(key.getBytes(StandardCharsets.UTF_8)), key));
    }

    @Test
    void nullKeysStickUntilABatchCompletes()
    {
        final Partitioner partitioner = new Partitioner();
        final int first = partitioner.partition("t", null, 6);
        assertEquals(first, partitioner.partition("t", null, 6));
        partitioner.onNewBatch("t", first, 6);
        final int second = partitioner.partition("t", null, 6);
        assertNotEquals(first, second);
        assertTrue(second >= 0 && second < 6);
    }

    @Test
    void idempotenceNeedsAcksAll()
    {
        final ConfigException e = assertThrows(ConfigException.class, () -> new ProducerConfig(Map.of("acks", "1",
            "enable.idempotence", "true")));
        assertTrue(e.getMessage().contains("acks"), e.getMessage());
        assertFalse(new ProducerConfig(Map.of("acks", "1")).idempotent, "acks=1 turns the default off");
        assertTrue(new ProducerConfig(Map.of()).idempotent);
        assertThrows(ConfigException.class, () -> new ProducerConfig(Map.of("linger.ms", "-1")));
        assertThrows(ConfigException.class, () -> new ProducerConfig(Map.of("compression.type", "snappy")));
    }
}
