package io.sluice.common.protocol;

/**
 * The header of every request: API key, API version, correlation id (echoed in the response) and client id.
 *
 * <pre>
 *  apiKey int16 | apiVersion int16 | correlationId int32 | clientId string (int16 length, -1 null)
 * </pre>
 */
public final class RequestHeader
{
    public final short apiKey;
    public final short apiVersion;
    public final int correlationId;
    public final String clientId;

    public RequestHeader(final short apiKey, final short apiVersion, final int correlationId, final String clientId)
    {
        this.apiKey = apiKey;
        this.apiVersion = apiVersion;
        this.correlationId = correlationId;
        this.clientId = clientId;
    }

    public void write(final MessageWriter writer)
    {
        writer.writeShort(apiKey).writeShort(apiVersion).writeInt(correlationId).writeString(clientId);
    }

    public static RequestHeader read(final MessageReader reader)
    {
        return new RequestHeader(reader.readShort(), reader.readShort(), reader.readInt(), reader.readString());
    }

    @Override
    public String toString()
    {
        final ApiKeys api = ApiKeys.forId(apiKey);
        return "RequestHeader(api=" + (api == null ? Short.toString(apiKey) : api.name()) + ", version=" + apiVersion
            + ", correlationId=" + correlationId + ", clientId=" + clientId + ")";
    }
}
