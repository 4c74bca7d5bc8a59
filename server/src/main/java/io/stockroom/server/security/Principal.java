package io.stockroom.server.security;

/** Who is calling: the key id (never the secret) and its role. */
public record Principal(String id, Role role) {}
