package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** The APIs the broker speaks, each with its oldest and latest version. */
public record ApiVersionsResponse(short errorCode, List<ApiVersion> apis) implements Message
{
    public record ApiVersion(short apiKey, short minVersion, short maxVersion)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeArrayLength(apis.size());
        for (final ApiVersion api : apis)
        {
            writer.writeShort(api.apiKey).writeShort(api.minVersion).writeShort(api.maxVersion);
        }
    }

    public static ApiVersionsResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int n = reader.readArrayLength(6);
        final List<ApiVersion> apis = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            apis.add(new ApiVersion(reader.readShort(), reader.readShort(), reader.readShort()));
        }
        return new ApiVersionsResponse(error, apis);
    }
}
