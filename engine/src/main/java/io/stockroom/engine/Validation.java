package io.stockroom.engine;

import java.util.List;

/**
 * Field rules for commands. Each check returns null when the value is fine, or a message that
 * names the field and the rule, so the server can echo it in a problem+json {@code detail}.
 */
final class Validation {

  private final Limits limits;

  Validation(Limits limits) {
    this.limits = limits;
  }

  static String orEmpty(String text) {
    return text == null ? "" : text;
  }

  /**
   * SKUs, locations and hold ids: 1..identifierLengthMax characters from {@code A-Z a-z 0-9}
   * and {@code . _ : -}, starting with a letter or digit. The set is small on purpose: these
   * appear in URLs, file names, metrics and logs, and must never need escaping.
   */
  String identifier(String field, String value) {
    return isIdentifier(value) ? null : notAnIdentifier(field, value);
  }

  /**
   * The rule alone, without a field name: a hold's line fields are named by their index, and
   * building "lines[0].sku" for every line of every reservation was allocation and time on the
   * writer thread for a name only a refusal needs.
   */
  private boolean isIdentifier(String value) {
    return value != null && !value.isEmpty() && value.length() <= limits.identifierLengthMax()
        && firstBadCharacter(value) < 0;
  }

  /** Why {@code value}, which {@link #isIdentifier} refused, is not an identifier. */
  private String notAnIdentifier(String field, String value) {
    if (value == null || value.isEmpty()) {
      return field + " is required";
    }
    if (value.length() > limits.identifierLengthMax()) {
      return field + " is " + value.length() + " characters, more than identifierLengthMax "
          + limits.identifierLengthMax();
    }
    return field + " may contain only A-Z a-z 0-9 . _ : - and must start with a letter or"
        + " digit; character " + (firstBadCharacter(value) + 1) + " is not allowed";
  }

  /**
   * What each ASCII character may be in an identifier: {@link #ANYWHERE}, {@link #NOT_FIRST}, or
   * 0 (never). A table rather than range tests: every reservation checks a SKU, a location and
   * a hold id (some 30 characters), and the range tests' branches, taken or not by whether a
   * character is a letter, digit or separator, mispredicted on ids that mix them.
   */
  private static final byte[] CHARACTERS = new byte[128];
  private static final byte ANYWHERE = 1;
  private static final byte NOT_FIRST = 2;

  static {
    for (char c = '0'; c <= '9'; c++) {
      CHARACTERS[c] = ANYWHERE;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      CHARACTERS[c] = ANYWHERE;
      CHARACTERS[Character.toUpperCase(c)] = ANYWHERE;
    }
    for (char c : new char[] {'.', '_', ':', '-'}) {
      CHARACTERS[c] = NOT_FIRST;
    }
  }

  private static int firstBadCharacter(String value) {
    if (value.isEmpty()) {
      return -1;
    }
    char first = value.charAt(0);
    if (first >= 128 || CHARACTERS[first] != ANYWHERE) {
      return 0;
    }
    for (int i = 1; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 128 || CHARACTERS[c] == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Idempotency keys: 1..textLengthMax visible ASCII characters (UUIDs, ULIDs and the like), so
   * they can be logged and echoed without escaping.
   */
  String idempotencyKey(String key) {
    if (key == null || key.isEmpty() || key.length() > limits.textLengthMax()) {
      return "an idempotency key must be 1.." + limits.textLengthMax() + " characters";
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return "an idempotency key may contain only visible ASCII characters";
      }
    }
    return null;
  }

  /**
   * Optional free text: at most {@code lengthMax} characters, no control characters, and
   * well-formed UTF-16 (any unicode, kept exactly, but no unpaired surrogate: UTF-8 cannot
   * encode one, so the journal would silently store {@code ?} instead of what was acknowledged).
   */
  String text(String field, String value, int lengthMax) {
    if (value == null) {
      return null;
    }
    if (value.length() > lengthMax) {
      return field + " is " + value.length() + " characters, more than the limit " + lengthMax;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        return field + " must not contain control characters";
      }
      if (Character.isHighSurrogate(c) && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++; // a pair: one code point beyond U+FFFF
      } else if (Character.isSurrogate(c)) {
        return field + " is not well-formed unicode: character " + (i + 1)
            + " is an unpaired surrogate";
      }
    }
    return null;
  }

  /** A quantity in 1..quantityMax, or 0..quantityMax when {@code zeroAllowed}. */
  String quantity(String field, long value, boolean zeroAllowed) {
    long min = zeroAllowed ? 0 : 1;
    if (value < min || value > limits.quantityMax()) {
      return field + " must be between " + min + " and " + limits.quantityMax() + ", was "
          + value;
    }
    return null;
  }

  String timeout(long timeoutMillis) {
    if (timeoutMillis < limits.holdTimeoutMillisMin()
        || timeoutMillis > limits.holdTimeoutMillisMax()) {
      return "timeout must be between " + limits.holdTimeoutMillisMin() + " and "
          + limits.holdTimeoutMillisMax() + " ms, was " + timeoutMillis;
    }
    return null;
  }

  String reserve(Command.Reserve command) {
    String problem = identifier("holdId", command.holdId());
    if (problem == null) {
      problem = timeout(command.timeoutMillis());
    }
    if (problem == null) {
      problem = text("customer", command.customer(), limits.textLengthMax());
    }
    if (problem == null) {
      problem = text("reference", command.reference(), limits.textLengthMax());
    }
    if (problem == null) {
      problem = lines(command.lines());
    }
    return problem;
  }

  private String lines(List<HoldLine> lines) {
    if (lines == null || lines.isEmpty()) {
      return "a hold needs at least one line";
    }
    if (lines.size() > limits.linesPerHoldMax()) {
      return "a hold has " + lines.size() + " lines, more than linesPerHoldMax "
          + limits.linesPerHoldMax();
    }
    for (int i = 0; i < lines.size(); i++) {
      HoldLine line = lines.get(i);
      if (line == null) {
        return "line " + (i + 1) + " is missing";
      }
      if (!isIdentifier(line.sku())) {
        return notAnIdentifier("lines[" + i + "].sku", line.sku());
      }
      if (!isIdentifier(line.location())) {
        return notAnIdentifier("lines[" + i + "].location", line.location());
      }
      if (line.quantity() < 1 || line.quantity() > limits.quantityMax()) {
        return quantity("lines[" + i + "].quantity", line.quantity(), false);
      }
      // Quadratic, but bounded by linesPerHoldMax and allocation-free for the usual 1-5 lines.
      for (int j = 0; j < i; j++) {
        HoldLine earlier = lines.get(j);
        if (earlier.sku().equals(line.sku()) && earlier.location().equals(line.location())) {
          return "lines " + (j + 1) + " and " + (i + 1) + " both name " + line.sku() + "@"
              + line.location() + "; merge them into one line";
        }
      }
    }
    return null;
  }
}
