package io.sluice.client.producer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Kafka's default partitioning, so keys land on the same partitions as with a Kafka producer: murmur2 of the key
 * bytes, made positive, modulo the partition count. Records without a key stick to one partition until a batch for
 * it fills, then move on, which keeps batches large without skewing partitions over time.
 */
public final class Partitioner
{
    private final Map<String, Integer> sticky = new ConcurrentHashMap<>();

    public int partition(final String topic, final byte[] key, final int partitions)
    {
        if (key != null)
        {
            return toPositive(murmur2(key)) % partitions;
        }
        // Looked up first: computeIfAbsent's lambda captures the partition count, an allocation for every record.
        final Integer current = sticky.get(topic);
        if (current != null)
        {
            return current % partitions;
        }
        return sticky.computeIfAbsent(topic, t -> ThreadLocalRandom.current().nextInt(partitions)) % partitions;
    }

    /** A batch for the sticky partition of {@code topic} filled up: pick another one. */
    public void onNewBatch(final String topic, final int previous, final int partitions)
    {
        if (partitions <= 1)
        {
            return;
        }
        sticky.compute(topic, (t, current) ->
        {
            if (current != null && current != previous)
            {
                return current;
            }
            int next = ThreadLocalRandom.current().nextInt(partitions - 1);
            if (next >= previous)
            {
                next++;
            }
            return next;
        });
    }

    public static int toPositive(final int number)
    {
        return number & 0x7fffffff;
    }

    /** The 32-bit murmur2 hash with Kafka's seed, byte for byte Kafka's {@code Utils.murmur2}. */
    public static int murmur2(final byte[] data)
    {
        final int length = data.length;
        final int seed = 0x9747b28c;
        final int m = 0x5bd1e995;
        final int r = 24;
        int h = seed ^ length;
        final int length4 = length / 4;
        for (int i = 0; i < length4; i++)
        {
            final int i4 = i * 4;
            int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16)
                + ((data[i4 + 3] & 0xff) << 24);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        switch (length % 4)
        {
            case 3:
                h ^= (data[(length & ~3) + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[(length & ~3) + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[length & ~3] & 0xff;
                h *= m;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= m;
        h ^= h >>> 15;
        return h;
    }
}
