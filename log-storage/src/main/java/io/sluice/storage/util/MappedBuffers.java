package io.sluice.storage.util;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Releases memory mappings when we decide, not when the garbage collector gets round to it. Without this a
 * deleted segment would keep its disk space and address range until the next GC, and a trimmed file could not be
 * remapped on some platforms. Uses {@code sun.misc.Unsafe.invokeCleaner}, available without flags on Java 9+.
 */
public final class MappedBuffers
{
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static
    {
        try
        {
            final Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            final Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            UNSAFE = field.get(null);
            INVOKE_CLEANER = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private MappedBuffers()
    {
    }

    /**
     * Unmaps a direct buffer created by {@code FileChannel.map}. The caller guarantees that no thread touches the
     * buffer, or any slice of it, afterwards: doing so would crash the JVM.
     */
    public static void unmap(final ByteBuffer buffer)
    {
        if (buffer == null || !buffer.isDirect())
        {
            return;
        }
        try
        {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new IllegalStateException("Could not unmap a memory-mapped file", e);
        }
    }
}
