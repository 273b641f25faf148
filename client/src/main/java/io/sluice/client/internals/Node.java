package io.sluice.client.internals;

/** A broker as a client addresses it. */
public record Node(int id, String host, int port)
{
    @Override
    public String toString()
    {
        return id + "@" + host + ":" + port;
    }
}
