package io.sluice.client.serialization;

/** Turns bytes back into keys or values; null stays null. */
@FunctionalInterface
public interface Deserializer<T>
{
    T deserialize(String topic, byte[] data);
}
