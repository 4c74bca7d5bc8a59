/**
 * The journal: a durable, append-only, hash-chained log of opaque records in segment files, with
 * snapshots, recovery and verification.
 *
 * <p>Public surface: {@link io.stockroom.journal.Journal} (open, append, read, writeSnapshot,
 * verify), {@link io.stockroom.journal.JournalReader}, {@link io.stockroom.journal.JournalConfig},
 * {@link io.stockroom.journal.Snapshot}, {@link io.stockroom.journal.RecoveryReport}, {@link
 * io.stockroom.journal.VerifyReport}, {@link io.stockroom.journal.Corruption}, the two exceptions,
 * and the storage seam ({@link io.stockroom.journal.Storage}, {@link
 * io.stockroom.journal.StorageFile}, {@link io.stockroom.journal.FileStorage}, and the simulated
 * {@link io.stockroom.journal.FaultyStorage}). Everything else is package-private; the on-disk
 * layout is documented once, in {@code Format}.
 */
package io.stockroom.journal;
