package io.sluice.storage.log;

import io.sluice.storage.segment.LogSegment;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The segments of one log by base offset. A concurrent skip-list map, so readers find a segment without locking
 * while the writer adds and removes segments.
 */
final class LogSegments
{
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();

    void add(final LogSegment segment)
    {
        segments.put(segment.baseOffset(), segment);
    }

    void remove(final LogSegment segment)
    {
        segments.remove(segment.baseOffset(), segment);
    }

    /** The segment that would hold {@code offset}: the one with the largest base offset at or below it. */
    LogSegment floor(final long offset)
    {
        final Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        return entry == null ? null : entry.getValue();
    }

    LogSegment higher(final long baseOffset)
    {
        final Map.Entry<Long, LogSegment> entry = segments.higherEntry(baseOffset);
        return entry == null ? null : entry.getValue();
    }

    LogSegment first()
    {
        final Map.Entry<Long, LogSegment> entry = segments.firstEntry();
        return entry == null ? null : entry.getValue();
    }

    LogSegment active()
    {
        final Map.Entry<Long, LogSegment> entry = segments.lastEntry();
        return entry == null ? null : entry.getValue();
    }

    int count()
    {
        return segments.size();
    }

    boolean isEmpty()
    {
        return segments.isEmpty();
    }

    Collection<LogSegment> all()
    {
        return segments.values();
    }

    /** Segments with base offsets in {@code [from, to)}. */
    List<LogSegment> range(final long from, final long to)
    {
        return new ArrayList<>(segments.subMap(from, true, to, false).values());
    }

    long sizeInBytes()
    {
        long total = 0;
        for (final LogSegment segment : segments.values())
        {
            total += segment.size();
        }
        return total;
    }
}
