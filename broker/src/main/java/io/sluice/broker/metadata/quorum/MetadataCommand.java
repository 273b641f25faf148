package io.sluice.broker.metadata.quorum;

import io.sluice.broker.metadata.BrokerRegistration;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A change proposed to the metadata quorum: once committed to the Raft log, every voter applies it to its image in
 * the same order, so the commands must be deterministic and carry everything they need.
 */
sealed interface MetadataCommand
{
    byte REGISTER_BROKER = 1;
    byte CREATE_TOPIC = 2;
    byte DELETE_TOPIC = 3;
    byte BROKER_HEARTBEAT = 4;
    byte FENCE_BROKER = 5;
    byte CHANGE_ISR = 6;
    byte ELECT_LEADERS = 7;
    byte ALLOCATE_PRODUCER_IDS = 8;

    record RegisterBroker(BrokerRegistration broker) implements MetadataCommand
    {
    }

    record CreateTopic(String name, int partitions, int replicationFactor, Map<String, String> configs)
        implements MetadataCommand
    {
    }

    record DeleteTopic(String name) implements MetadataCommand
    {
    }

    /** A broker is alive; a fenced broker that heartbeats is unfenced. */
    record BrokerHeartbeat(int brokerId) implements MetadataCommand
    {
    }

    /** A partition leader asks to change its ISR (a follower caught up, or fell behind); refused for a stale epoch. */
    record ChangeIsr(String topic, int partition, int leaderEpoch, java.util.List<Integer> isr)
        implements MetadataCommand
    {
    }

    /** The active controller saw no heartbeat within the session timeout: lead elsewhere, leave the ISRs. */
    record FenceBroker(int brokerId) implements MetadataCommand
    {
    }

    /**
     * The active controller moves leadership: to the preferred replica once it is back in the ISR, or, for a
     * leaderless partition when {@code unclean.leader.election.enable} is set, to a live replica outside the ISR.
     */
    record ElectLeaders(java.util.List<Election> elections) implements MetadataCommand
    {
    }

    /**
     * One partition's new leader, applied only if the partition is still at {@code leaderEpoch} and the leader is
     * live and in the ISR (or, if {@code unclean}, a live replica; it then becomes the whole ISR).
     */
    record Election(String topic, int partition, int leaderEpoch, int leader, boolean unclean)
    {
    }

    /**
     * A broker reserves the next block of producer ids, starting no lower than {@code atLeast} (ids it handed out
     * before the cluster counted them); the result message is the block's first id.
     */
    record AllocateProducerIds(int brokerId, long atLeast) implements MetadataCommand
    {
    }

    static byte[] encode(final MetadataCommand command)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            if (command instanceof RegisterBroker r)
            {
                out.writeByte(REGISTER_BROKER);
                MetadataCodec.writeBroker(out, r.broker());
            }
            else if (command instanceof CreateTopic c)
            {
                out.writeByte(CREATE_TOPIC);
                out.writeUTF(c.name());
                out.writeInt(c.partitions());
                out.writeInt(c.replicationFactor());
                MetadataCodec.writeConfigs(out, c.configs());
            }
            else if (command instanceof DeleteTopic d)
            {
                out.writeByte(DELETE_TOPIC);
                out.writeUTF(d.name());
            }
            else if (command instanceof BrokerHeartbeat h)
            {
                out.writeByte(BROKER_HEARTBEAT);
                out.writeInt(h.brokerId());
            }
            else if (command instanceof FenceBroker f)
            {
                out.writeByte(FENCE_BROKER);
                out.writeInt(f.brokerId());
            }
            else if (command instanceof ChangeIsr c)
            {
                out.writeByte(CHANGE_ISR);
                out.writeUTF(c.topic());
                out.writeInt(c.partition());
                out.writeInt(c.leaderEpoch());
                out.writeInt(c.isr().size());
                for (final int replica : c.isr())
                {
                    out.writeInt(replica);
                }
            }
            else if (command instanceof AllocateProducerIds a)
            {
                out.writeByte(ALLOCATE_PRODUCER_IDS);
                out.writeInt(a.brokerId());
                out.writeLong(a.atLeast());
            }
            else if (command instanceof ElectLeaders e)
            {
                out.writeByte(ELECT_LEADERS);
                out.writeInt(e.elections().size());
                for (final Election election : e.elections())
                {
                    out.writeUTF(election.topic());
                    out.writeInt(election.partition());
                    out.writeInt(election.leaderEpoch());
                    out.writeInt(election.leader());
                    out.writeBoolean(election.unclean());
                }
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static MetadataCommand decode(final byte[] bytes) throws IOException
    {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes)))
        {
            final byte type = in.readByte();
            switch (type)
            {
                case REGISTER_BROKER:
                    return new RegisterBroker(MetadataCodec.readBroker(in));
                case CREATE_TOPIC:
                    return new CreateTopic(in.readUTF(), in.readInt(), in.readInt(), MetadataCodec.readConfigs(in));
                case DELETE_TOPIC:
                    return new DeleteTopic(in.readUTF());
                case BROKER_HEARTBEAT:
                    return new BrokerHeartbeat(in.readInt());
                case FENCE_BROKER:
                    return new FenceBroker(in.readInt());
                case CHANGE_ISR:
                {
                    final String topic = in.readUTF();
                    final int partition = in.readInt();
                    final int epoch = in.readInt();
                    final int n = in.readInt();
                    if (n < 0 || n > 1000)
                    {
                        throw new IOException("Bad ISR size " + n);
                    }
                    final java.util.List<Integer> isr = new java.util.ArrayList<>(n);
                    for (int i = 0; i < n; i++)
                    {
                        isr.add(in.readInt());
                    }
                    return new ChangeIsr(topic, partition, epoch, java.util.List.copyOf(isr));
                }
                case ALLOCATE_PRODUCER_IDS:
                    return new AllocateProducerIds(in.readInt(), in.readLong());
                case ELECT_LEADERS:
                {
                    final int n = in.readInt();
                    if (n < 0 || n > 1_000_000)
                    {
                        throw new IOException("Bad election count " + n);
                    }
                    final java.util.List<Election> elections = new java.util.ArrayList<>(n);
                    for (int i = 0; i < n; i++)
                    {
                        elections.add(new Election(in.readUTF(), in.readInt(), in.readInt(), in.readInt(),
                            in.readBoolean()));
                    }
                    return new ElectLeaders(java.util.List.copyOf(elections));
                }
                default:
                    throw new IOException("Unknown metadata command type " + type);
            }
        }
    }
}
