package io.sluice.client.serialization;

/** Turns keys or values into bytes; null stays null. */
@FunctionalInterface
public interface Serializer<T>
{
    byte[] serialize(String topic, T data);
}
