package io.sluice.client.network;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sluice.common.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseFrameDecoderTest
{
    private final Random random = new Random(42);

    @Test
    void framesComeOutWholeHoweverTheStreamIsCut()
    {
        final List<byte[]> frames = List.of(bytes(0), bytes(5), bytes(1000), bytes(1), bytes(300));
        final byte[] stream = framed(frames);
        for (int chunk = 1; chunk <= 64; chunk++)
        {
            final EmbeddedChannel channel = new EmbeddedChannel(new ResponseFrameDecoder(Integer.MAX_VALUE));
            for (int i = 0; i < stream.length; i += chunk)
            {
                channel.writeInbound(Unpooled.wrappedBuffer(stream, i, Math.min(chunk, stream.length - i)));
            }
            assertEquals(frames.size(), channel.inboundMessages().size(), "frames out with chunks of " + chunk);
            for (final byte[] frame : frames)
            {
                assertArrayEquals(frame, (byte[])channel.readInbound(), "chunks of " + chunk);
            }
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aFrameLargerThanTheFirstAllocationGrowsToItsSize()
    {
        final byte[] big = bytes(ResponseFrameDecoder.INITIAL_CAPACITY_LIMIT * 2 + 3);
        final byte[] stream = framed(List.of(big, bytes(7)));
        final EmbeddedChannel channel = new EmbeddedChannel(new ResponseFrameDecoder(Integer.MAX_VALUE));
        for (int i = 0; i < stream.length; i += 65536)
        {
            channel.writeInbound(Unpooled.wrappedBuffer(stream, i, Math.min(65536, stream.length - i)));
        }
        assertArrayEquals(big, (byte[])channel.readInbound());
        assertEquals(7, ((byte[])channel.readInbound()).length);
        assertNull(channel.readInbound());
    }

    @Test
    void aNegativeLengthFailsTheConnectionWithAClearError()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new ResponseFrameDecoder(Integer.MAX_VALUE));
        final ProtocolException error = assertThrows(ProtocolException.class,
            () -> channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte)0xff, 0, 0, 1, 9, 9})));
        assertTrue(error.getMessage().contains("4278190081 bytes"), error.getMessage());
        assertFalse(channel.inboundMessages().iterator().hasNext());
    }

    @Test
    void aLengthOverTheLimitFailsWithoutAllocatingIt()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new ResponseFrameDecoder(1024));
        final ProtocolException error = assertThrows(ProtocolException.class,
            () -> channel.writeInbound(Unpooled.wrappedBuffer(ByteBuffer.allocate(4).putInt(0, 1025))));
        assertTrue(error.getMessage().contains("1025 bytes is outside 0..1024"), error.getMessage());
    }

    private byte[] bytes(final int size)
    {
        final byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] framed(final List<byte[]> frames)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] frame : frames)
        {
            out.writeBytes(ByteBuffer.allocate(4).putInt(frame.length).array());
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }
}
