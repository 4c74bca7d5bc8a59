package io.stockroom.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HoldTest {

  private static final StockLevel TEE = new StockLevel("tee", "main");
  private static final StockLevel MUG = new StockLevel("mug", "back");

  @Test
  void aSingleLineHoldKeepsItsLineInline() {
    Hold hold = new Hold("h1", new StockLevel[] {TEE}, new int[] {3}, "", "", 1, 10);

    assertThat(hold.lineCount()).isEqualTo(1);
    assertThat(hold.level(0)).isSameAs(TEE);
    assertThat(hold.quantity(0)).isEqualTo(3);
    assertThat(hold.units()).isEqualTo(3);
    assertThat(hold.lines()).containsExactly(new HoldLine("tee", "main", 3));
  }

  @Test
  void aHoldOfSeveralLinesKeepsThemInOrder() {
    Hold hold = new Hold("h2", new StockLevel[] {TEE, MUG, TEE}, new int[] {3, 5, 7}, "", "", 1,
        10);

    assertThat(hold.lineCount()).isEqualTo(3);
    assertThat(hold.level(0)).isSameAs(TEE);
    assertThat(hold.level(1)).isSameAs(MUG);
    assertThat(hold.quantity(2)).isEqualTo(7);
    assertThat(hold.units()).isEqualTo(15);
    assertThat(hold.lines()).containsExactly(new HoldLine("tee", "main", 3),
        new HoldLine("mug", "back", 5), new HoldLine("tee", "main", 7));
  }

  @Test
  void aHoldWithoutLinesOrWithUnmatchedArraysIsRefused() {
    assertThatThrownBy(() -> new Hold("h3", new StockLevel[0], new int[0], "", "", 1, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 levels");
    assertThatThrownBy(() -> new Hold("h4", new StockLevel[] {TEE, MUG}, new int[] {1}, "", "",
        1, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 levels, 1 quantities");
  }
}
