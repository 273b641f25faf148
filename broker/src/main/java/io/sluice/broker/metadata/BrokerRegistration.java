package io.sluice.broker.metadata;

/** A broker as the cluster knows it: id and the endpoint clients connect to. */
public record BrokerRegistration(int id, String host, int port)
{
}
