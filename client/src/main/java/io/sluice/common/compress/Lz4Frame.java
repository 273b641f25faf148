package io.sluice.common.compress;

import io.sluice.common.errors.CorruptRecordException;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

import java.nio.ByteBuffer;

/**
 * The LZ4 frame format (lz4 spec v1.6) as Kafka writes it inside a compressed batch: magic, a descriptor with
 * independent 64 KiB blocks and no checksums, blocks that fall back to stored form when they do not shrink, and an
 * end mark. Works on caller-provided buffers with absolute indexes so that compressing a batch allocates nothing.
 *
 * <pre>
 *  magic 0x184D2204 (LE) | FLG | BD | HC | { blockSize int32 LE (high bit: stored) | data } ... | 0 (int32)
 * </pre>
 *
 * <p>Instances are thread-safe: lz4-java's compressors and hashes are stateless.
 */
public final class Lz4Frame
{
    static final int MAGIC = 0x184D2204;
    static final int BLOCK_SIZE = 64 * 1024;
    static final int HEADER_SIZE = 7;
    static final int END_MARK_SIZE = 4;

    private static final int FLG_VERSION = 0x40;
    private static final int FLG_BLOCK_INDEPENDENCE = 0x20;
    private static final int FLG_BLOCK_CHECKSUM = 0x10;
    private static final int FLG_CONTENT_SIZE = 0x08;
    private static final int FLG_CONTENT_CHECKSUM = 0x04;
    private static final int FLG_RESERVED = 0x02;
    private static final int FLG_DICT_ID = 0x01;
    private static final int BD_64KB = 4 << 4;
    private static final int STORED_BLOCK_FLAG = 0x80000000;

    private static final Lz4Frame INSTANCE = new Lz4Frame();

    private final LZ4Compressor compressor;
    private final LZ4SafeDecompressor decompressor;
    private final XXHash32 xxhash;

    private Lz4Frame()
    {
        final LZ4Factory factory = LZ4Factory.fastestInstance();
        this.compressor = factory.fastCompressor();
        this.decompressor = factory.safeDecompressor();
        this.xxhash = XXHashFactory.fastestInstance().hash32();
    }

    public static Lz4Frame instance()
    {
        return INSTANCE;
    }

    /** Most bytes a frame for {@code sourceLength} input bytes can take. */
    public int maxCompressedLength(final int sourceLength)
    {
        final int blocks = Math.max(1, (sourceLength + BLOCK_SIZE - 1) / BLOCK_SIZE);
        return HEADER_SIZE + END_MARK_SIZE + blocks * 4 + compressor.maxCompressedLength(BLOCK_SIZE) * blocks;
    }

    /**
     * Compresses {@code [srcOffset, srcOffset + srcLength)} of {@code src} into {@code dst} starting at
     * {@code dstOffset}, which must have {@link #maxCompressedLength} bytes free. Returns the frame's length.
     */
    public int compress(final ByteBuffer src, final int srcOffset, final int srcLength, final ByteBuffer dst,
        final int dstOffset)
    {
        int out = dstOffset;
        dst.putInt(out, Integer.reverseBytes(MAGIC));
        final int flg = FLG_VERSION | FLG_BLOCK_INDEPENDENCE;
        dst.put(out + 4, (byte)flg);
        dst.put(out + 5, (byte)BD_64KB);
        dst.put(out + 6, (byte)((xxhash.hash(dst, out + 4, 2, 0) >> 8) & 0xff));
        out += HEADER_SIZE;

        final int maxBlock = compressor.maxCompressedLength(BLOCK_SIZE);
        int in = srcOffset;
        final int end = srcOffset + srcLength;
        while (in < end)
        {
            final int chunk = Math.min(BLOCK_SIZE, end - in);
            final int compressed = compressor.compress(src, in, chunk, dst, out + 4, maxBlock);
            if (compressed >= chunk)
            {
                dst.putInt(out, Integer.reverseBytes(chunk | STORED_BLOCK_FLAG));
                copy(src, in, dst, out + 4, chunk);
                out += 4 + chunk;
            }
            else
            {
                dst.putInt(out, Integer.reverseBytes(compressed));
                out += 4 + compressed;
            }
            in += chunk;
        }
        dst.putInt(out, 0);
        out += END_MARK_SIZE;
        return out - dstOffset;
    }

    /**
     * Decompresses the frame in {@code [srcOffset, srcOffset + srcLength)} into {@code sink}, growing it as needed.
     *
     * @throws CorruptRecordException if the bytes are not a well-formed frame.
     */
    public void decompress(final ByteBuffer src, final int srcOffset, final int srcLength, final GrowableBuffer sink)
    {
        final int end = srcOffset + srcLength;
        int in = srcOffset;
        if (srcLength < HEADER_SIZE + END_MARK_SIZE - 1)
        {
            throw new CorruptRecordException("LZ4 frame of " + srcLength + " bytes is too short");
        }
        if (Integer.reverseBytes(src.getInt(in)) != MAGIC)
        {
            throw new CorruptRecordException("LZ4 frame has a bad magic number");
        }
        final int flg = src.get(in + 4) & 0xff;
        if ((flg & 0xC0) != FLG_VERSION || (flg & FLG_RESERVED) != 0)
        {
            throw new CorruptRecordException("LZ4 frame has an unsupported version or reserved flag set");
        }
        if ((flg & FLG_BLOCK_INDEPENDENCE) == 0)
        {
            throw new CorruptRecordException("LZ4 frames with dependent blocks are not supported");
        }
        final int descriptorLength = 2 + ((flg & FLG_CONTENT_SIZE) != 0 ? 8 : 0) + ((flg & FLG_DICT_ID) != 0 ? 4 : 0);
        if (in + 4 + descriptorLength + 1 > end)
        {
            throw new CorruptRecordException("LZ4 frame descriptor is truncated");
        }
        final int headerChecksum = src.get(in + 4 + descriptorLength) & 0xff;
        if (headerChecksum != ((xxhash.hash(src, in + 4, descriptorLength, 0) >> 8) & 0xff))
        {
            throw new CorruptRecordException("LZ4 frame header checksum does not match");
        }
        final int bd = src.get(in + 5) & 0xff;
        final int maxBlockSize = 1 << (8 + 2 * ((bd >> 4) & 0x07));
        if ((bd & 0x8F) != 0 || maxBlockSize < BLOCK_SIZE)
        {
            throw new CorruptRecordException("LZ4 frame has an invalid block descriptor " + bd);
        }
        final boolean blockChecksum = (flg & FLG_BLOCK_CHECKSUM) != 0;
        in += 4 + descriptorLength + 1;
        final int contentStart = sink.position();

        while (true)
        {
            if (in + 4 > end)
            {
                throw new CorruptRecordException("LZ4 frame ends without an end mark");
            }
            final int header = Integer.reverseBytes(src.getInt(in));
            in += 4;
            if (header == 0)
            {
                break;
            }
            final int blockLength = header & ~STORED_BLOCK_FLAG;
            if (blockLength > maxBlockSize || blockLength > end - in)
            {
                throw new CorruptRecordException("LZ4 block of " + blockLength + " bytes overruns its frame");
            }
            final ByteBuffer out = sink.ensureRemaining(maxBlockSize);
            final int outPosition = sink.position();
            if ((header & STORED_BLOCK_FLAG) != 0)
            {
                copy(src, in, out, outPosition, blockLength);
                sink.position(outPosition + blockLength);
            }
            else
            {
                try
                {
                    final int produced = decompressor.decompress(src, in, blockLength, out, outPosition,
                        maxBlockSize);
                    sink.position(outPosition + produced);
                }
                catch (final LZ4Exception e)
                {
                    throw new CorruptRecordException("LZ4 block is malformed: " + e.getMessage(), e);
                }
            }
            if (blockChecksum)
            {
                if (in + blockLength + 4 > end
                    || Integer.reverseBytes(src.getInt(in + blockLength)) != xxhash.hash(src, in, blockLength, 0))
                {
                    throw new CorruptRecordException("LZ4 block checksum does not match");
                }
                in += 4;
            }
            in += blockLength;
        }
        if ((flg & FLG_CONTENT_CHECKSUM) != 0)
        {
            if (in + 4 > end)
            {
                throw new CorruptRecordException("LZ4 frame content checksum is missing");
            }
            final ByteBuffer content = sink.buffer();
            final int expected = Integer.reverseBytes(src.getInt(in));
            if (expected != xxhash.hash(content, contentStart, sink.position() - contentStart, 0))
            {
                throw new CorruptRecordException("LZ4 frame content checksum does not match");
            }
        }
    }

    private static void copy(final ByteBuffer src, final int srcIndex, final ByteBuffer dst, final int dstIndex,
        final int length)
    {
        dst.put(dstIndex, src, srcIndex, length);
    }
}
