package io.stockroom.journal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JournalConfigTest {

  @Test
  void badLimitsAreRefusedWithTheirNameNeverClamped() {
    JournalConfig defaults = JournalConfig.defaults();
    assertThatThrownBy(() -> defaults.withSegmentBytesMax(10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("segmentBytesMax")
        .hasMessageContaining("10");
    assertThatThrownBy(() -> defaults.withBatchRecordsMax(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchRecordsMax");
    assertThatThrownBy(() -> defaults.withRecordPayloadBytesMax(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recordPayloadBytesMax");
    assertThatThrownBy(() -> defaults.withRecordPayloadBytesMax(2 << 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writeBufferBytes");
    assertThatThrownBy(() -> defaults.withBufferBytes(1 << 20, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readBufferBytes");
    assertThatThrownBy(() -> defaults.withSnapshotsRetained(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("snapshotsRetained");
  }
}
