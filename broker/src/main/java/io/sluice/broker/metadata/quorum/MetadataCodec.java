package io.sluice.broker.metadata.quorum;

import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.PartitionImage;
import io.sluice.broker.metadata.TopicImage;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Binary forms of metadata images (for snapshots) and of their parts, versioned by a leading byte. */
final class MetadataCodec
{
    /** 1 added the next producer id block after the topics. */
    static final byte IMAGE_VERSION = 1;

    /** What a snapshot holds: the image and the controller's producer id counter. */
    record Snapshot(MetadataImage image, long nextProducerId)
    {
    }

    private MetadataCodec()
    {
    }

    static void writeSnapshot(final DataOutputStream out, final MetadataImage image, final long nextProducerId)
        throws IOException
    {
        out.writeByte(IMAGE_VERSION);
        out.writeLong(image.version());
        out.writeUTF(image.clusterId());
        out.writeInt(image.brokers().size());
        for (final BrokerRegistration b : image.brokers().values())
        {
            writeBroker(out, b);
        }
        out.writeInt(image.topics().size());
        for (final TopicImage t : image.topics().values())
        {
            writeTopic(out, t);
        }
        out.writeLong(nextProducerId);
    }

    static Snapshot readSnapshot(final DataInputStream in, final int controllerId) throws IOException
    {
        final byte version = in.readByte();
        if (version < 0 || version > IMAGE_VERSION)
        {
            throw new IOException("Unknown metadata snapshot version " + version);
        }
        final long imageVersion = in.readLong();
        final String clusterId = in.readUTF();
        final Map<Integer, BrokerRegistration> brokers = new HashMap<>();
        for (int i = in.readInt(); i > 0; i--)
        {
            final BrokerRegistration b = readBroker(in);
            brokers.put(b.id(), b);
        }
        final Map<String, TopicImage> topics = new HashMap<>();
        for (int i = in.readInt(); i > 0; i--)
        {
            final TopicImage t = readTopic(in);
            topics.put(t.name(), t);
        }
        final long nextProducerId = version >= 1 ? in.readLong() : 0;
        return new Snapshot(new MetadataImage(imageVersion, clusterId, controllerId, brokers, topics), nextProducerId);
    }

    static void writeBroker(final DataOutputStream out, final BrokerRegistration b) throws IOException
    {
        out.writeInt(b.id());
        out.writeUTF(b.host());
        out.writeInt(b.port());
    }

    static BrokerRegistration readBroker(final DataInputStream in) throws IOException
    {
        return new BrokerRegistration(in.readInt(), in.readUTF(), in.readInt());
    }

    static void writeTopic(final DataOutputStream out, final TopicImage t) throws IOException
    {
        out.writeUTF(t.name());
        writeConfigs(out, t.configs());
        out.writeInt(t.partitions().size());
        for (final PartitionImage p : t.partitions())
        {
            out.writeInt(p.partition());
            writeInts(out, p.replicas());
            out.writeInt(p.leader());
            out.writeInt(p.leaderEpoch());
            writeInts(out, p.isr());
        }
    }

    static TopicImage readTopic(final DataInputStream in) throws IOException
    {
        final String name = in.readUTF();
        final Map<String, String> configs = readConfigs(in);
        final List<PartitionImage> partitions = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--)
        {
            partitions.add(new PartitionImage(in.readInt(), readInts(in), in.readInt(), in.readInt(), readInts(in)));
        }
        return new TopicImage(name, configs, partitions);
    }

    static void writeConfigs(final DataOutputStream out, final Map<String, String> configs) throws IOException
    {
        out.writeInt(configs.size());
        for (final Map.Entry<String, String> e : configs.entrySet())
        {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
    }

    static Map<String, String> readConfigs(final DataInputStream in) throws IOException
    {
        final Map<String, String> configs = new LinkedHashMap<>();
        for (int i = in.readInt(); i > 0; i--)
        {
            configs.put(in.readUTF(), in.readUTF());
        }
        return configs;
    }

    private static void writeInts(final DataOutputStream out, final List<Integer> values) throws IOException
    {
        out.writeInt(values.size());
        for (final int v : values)
        {
            out.writeInt(v);
        }
    }

    private static List<Integer> readInts(final DataInputStream in) throws IOException
    {
        final int n = in.readInt();
        if (n < 0 || n > 100_000)
        {
            throw new IOException("Bad list length " + n + " in metadata");
        }
        final List<Integer> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            values.add(in.readInt());
        }
        return List.copyOf(values);
    }
}
