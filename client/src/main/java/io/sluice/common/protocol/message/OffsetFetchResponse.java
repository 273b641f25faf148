package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** Committed offsets; a partition without one has offset -1. */
public record OffsetFetchResponse(short errorCode, List<PartitionOffset> offsets) implements Message
{
    public record PartitionOffset(String topic, int partition, long offset, int leaderEpoch, String metadata,
        long commitTimestamp, short errorCode)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeArrayLength(offsets.size());
        for (final PartitionOffset p : offsets)
        {
            writer.writeString(p.topic).writeInt(p.partition).writeLong(p.offset).writeInt(p.leaderEpoch)
                .writeString(p.metadata).writeLong(p.commitTimestamp).writeShort(p.errorCode);
        }
    }

    public static OffsetFetchResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int n = reader.readArrayLength(30);
        final List<PartitionOffset> offsets = new ArrayList<>(Math.max(0, n));
        for (int i = 0; i < n; i++)
        {
            offsets.add(new PartitionOffset(reader.readRequiredString("topic name"), reader.readInt(),
                reader.readLong(), reader.readInt(), reader.readString(), reader.readLong(), reader.readShort()));
        }
        return new OffsetFetchResponse(error, offsets);
    }
}
