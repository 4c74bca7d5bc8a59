package io.stockroom.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DigestTest {

  @Test
  void fixedAritiesGiveTheValueOfTheGeneralFold() {
    // Snapshots on disk carry checksums computed by the general fold: the shortcuts must agree.
    assertThat(Digest.of("tee")).isEqualTo(Digest.of(new String[] {"tee"}));
    assertThat(Digest.of("tee", "main")).isEqualTo(Digest.of(new String[] {"tee", "main"}));
    assertThat(Digest.of("h1", "", "ref")).isEqualTo(Digest.of(new String[] {"h1", "", "ref"}));
  }

  @Test
  void partsAreSeparated() {
    assertThat(Digest.of("ab", "c")).isNotEqualTo(Digest.of("a", "bc"));
    assertThat(Digest.of("tee", "")).isNotEqualTo(Digest.of("tee"));
  }

  @Test
  void theFoldIsFnv1aOverCharsWithASeparator() {
    // A value pinned from the fold as first written, so a change to it is seen here too.
    long hash = 0xCBF29CE484222325L;
    for (char c : "tee".toCharArray()) {
      hash = (hash ^ c) * 0x100000001B3L;
    }
    hash = (hash ^ 0xFFFF) * 0x100000001B3L;
    assertThat(Digest.of("tee")).isEqualTo(hash);
  }
}
