package io.sluice.common.record;

/** Receives each record of a batch in offset order. The view is reused: copy what must outlive the call. */
@FunctionalInterface
public interface RecordVisitor
{
    void onRecord(RecordView record);
}
