package io.stockroom.server.security;

/**
 * What a key may do. Roles are ordered: each includes the ones before it, so a checkout service
 * with {@code write} can also read stock, and an operator with {@code admin} can do everything.
 */
public enum Role {
  /** Stock, reservations, events, streams, metrics. */
  READ,
  /** Reservations and their lifecycle (reserve, confirm, release, extend, fulfil). */
  WRITE,
  /** Items, receive, adjust, transfer, safety stock, fulfil/restock stock, batch, keys. */
  ADMIN;

  public boolean includes(Role required) {
    return compareTo(required) >= 0;
  }

  public static Role parse(String text) {
    for (Role role : values()) {
      if (role.name().equalsIgnoreCase(text)) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown role '" + text + "'; one of read, write, admin");
  }
}
