package io.stockroom.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.BufferUnderflowException;
import java.nio.ByteOrder;

/**
 * A read position in a byte array, up to a limit: what the decoder reads an event through. It
 * exists instead of a {@code ByteBuffer} because replay decodes millions of events and every
 * buffer read carries the buffer's own position, bounds and memory-session checks: decoding a
 * journal got about 15 % faster without them. Reading past the limit throws {@link
 * BufferUnderflowException}, as a buffer would. Big-endian, like {@code ByteBuffer}'s default,
 * which the encoder writes.
 */
final class Cursor {

  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  byte[] bytes;
  int position;
  int limit;

  Cursor reset(byte[] bytes, int offset, int length) {
    this.bytes = bytes;
    this.position = offset;
    this.limit = offset + length;
    return this;
  }

  int remaining() {
    return limit - position;
  }

  /** Steps over {@code length} bytes and returns where they start. */
  int skip(int length) {
    return take(length);
  }

  byte get() {
    return bytes[take(1)];
  }

  short getShort() {
    return (short) SHORT.get(bytes, take(2));
  }

  int getInt() {
    return (int) INT.get(bytes, take(4));
  }

  long getLong() {
    return (long) LONG.get(bytes, take(8));
  }

  private int take(int count) {
    int at = position;
    if (count > limit - at) {
      throw new BufferUnderflowException();
    }
    position = at + count;
    return at;
  }
}
