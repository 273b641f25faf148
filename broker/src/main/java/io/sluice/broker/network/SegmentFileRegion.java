package io.sluice.broker.network;

import io.netty.channel.DefaultFileRegion;
import io.sluice.storage.segment.FileSlice;

/**
 * A segment slice as a Netty file region, so epoll and NIO transports send it with {@code sendfile}. Releasing it
 * must not close the channel, which belongs to the segment and serves every reader.
 */
final class SegmentFileRegion extends DefaultFileRegion
{
    SegmentFileRegion(final FileSlice slice)
    {
        super(slice.channel(), slice.position(), slice.sizeInBytes());
    }

    @Override
    protected void deallocate()
    {
        // The segment owns the channel.
    }
}
