package io.stockroom.journal;

import java.util.List;

/**
 * An append batch's payloads as the caller holds them, so that both {@code Journal.append} entries
 * share one check and one write loop (and so write the same bytes). Payload {@code i} is {@code
 * array(i)[offset(i) .. offset(i) + length(i))}.
 */
sealed interface BatchPayloads {

  int count();

  /**
   * Payload {@code i}'s length in bytes.
   *
   * @throws IllegalArgumentException the caller's description of payload {@code i} is unusable
   */
  int length(int i);

  byte[] array(int i);

  int offset(int i);

  /** One array per payload: {@link Journal#append(long, List)}. */
  record Listed(List<byte[]> payloads) implements BatchPayloads {

    @Override
    public int count() {
      return payloads.size();
    }

    @Override
    public int length(int i) {
      byte[] payload = payloads.get(i);
      if (payload == null) {
        throw new IllegalArgumentException("payload " + i + " of the batch is null");
      }
      return payload.length;
    }

    @Override
    public byte[] array(int i) {
      return payloads.get(i);
    }

    @Override
    public int offset(int i) {
      return 0;
    }
  }

  /**
   * Payloads back to back in one array: {@link Journal#append(long, byte[], int[], int)}. Payload
   * {@code i} runs from {@code ends[i - 1]} (0 for the first) to {@code ends[i]}.
   */
  record Packed(byte[] data, int[] ends, int count) implements BatchPayloads {

    @Override
    public int length(int i) {
      if (i >= ends.length) {
        throw new IllegalArgumentException(
            "the batch has " + count + " records but ends holds " + ends.length);
      }
      int start = offset(i);
      if (ends[i] < start || ends[i] > data.length) {
        throw new IllegalArgumentException(
            "payload "
                + i
                + " of the batch ends at "
                + ends[i]
                + "; it must end in ["
                + start
                + ", "
                + data.length
                + "], from where the payload before it ends to the end of data");
      }
      return ends[i] - start;
    }

    @Override
    public byte[] array(int i) {
      return data;
    }

    @Override
    public int offset(int i) {
      return i == 0 ? 0 : ends[i - 1];
    }
  }
}
