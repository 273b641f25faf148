package io.sluice.client.serialization;

import io.sluice.common.errors.ConfigException;

/** Instantiates serializers named in configs (key.serializer, value.deserializer, ...). */
public final class Serdes
{
    private Serdes()
    {
    }

    @SuppressWarnings("unchecked")
    public static <T> T instantiate(final String key, final String className, final Class<?> expected)
    {
        try
        {
            final Object instance = Class.forName(className).getDeclaredConstructor().newInstance();
            if (!expected.isInstance(instance))
            {
                throw new ConfigException("Invalid value '" + className + "' for configuration " + key + ": not a "
                    + expected.getSimpleName());
            }
            return (T)instance;
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ConfigException("Invalid value '" + className + "' for configuration " + key
                + ": cannot instantiate it (" + e + ")");
        }
    }
}
