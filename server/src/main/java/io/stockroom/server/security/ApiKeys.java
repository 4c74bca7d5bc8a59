package io.stockroom.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * API keys in {@code <data>/keys.json}. A key is {@code sk_<id>_<secret>}: the id (12 characters)
 * names it in lists, logs and events; the secret (32 random bytes, base64url) is shown once, at
 * creation, and only its SHA-256 is stored. A plain hash is right here because the secret is
 * random and long (256 bits): a slow password hash protects guessable secrets, not these.
 * Comparison is constant-time.
 *
 * <p>The file is rewritten atomically (temp file, fsync, rename) under {@code keys.lock}, so the
 * {@code keys} command can run while the service does; the service notices a changed file on
 * the next request, so a revocation takes effect without a restart.
 *
 * <p>A token whose secret checked out is remembered with the file contents it was checked
 * against, so the next request with it costs one constant-time comparison instead of a regular
 * expression and a SHA-256. That memory holds at most one token per key in the file (only the
 * one secret that hashes to a key's stored hash gets in; strangers' guesses never do), and it is
 * dropped with the contents whenever the file changes, so a revocation still takes effect on the
 * next request.
 */
public final class ApiKeys {

  public static final String FILE = "keys.json";
  private static final String LOCK = "keys.lock";
  private static final Pattern TOKEN = Pattern.compile("sk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})");
  /** "sk_" + 12-character id + "_" + 43-character secret. */
  private static final int TOKEN_LENGTH = 59;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One stored key: never the secret, only its hash. */
  public record Key(String id, String name, Role role, String sha256, Instant createdAt,
      Instant revokedAt) {
    public boolean revoked() {
      return revokedAt != null;
    }
  }

  /** A freshly created key: the only moment the token exists outside the caller's hands. */
  public record Created(Key key, String token) {}

  private final Path file;
  private final Path directory;
  private volatile Snapshot snapshot = Snapshot.NONE;

  /**
   * The file's contents and what identifies that version of it: its inode ({@code fileKey}; every
   * rewrite is a rename, so a new one), modification time and size. {@code verified}: key id ->
   * the token that checked out against {@code keys}, at most one per key.
   */
  private record Snapshot(Object fileKey, FileTime modified, long size, Map<String, Key> keys,
      ConcurrentHashMap<String, Verified> verified) {

    static final Snapshot NONE = new Snapshot(null, null, -1, Map.of(),
        new ConcurrentHashMap<>());

    boolean describes(BasicFileAttributes attributes) {
      return java.util.Objects.equals(fileKey, attributes.fileKey())
          && attributes.lastModifiedTime().equals(modified) && attributes.size() == size;
    }
  }

  /** A token that was checked against the stored hash, and whom it stands for. */
  private record Verified(byte[] token, Principal principal) {}

  private ApiKeys(Path directory) {
    this.directory = directory;
    this.file = directory.resolve(FILE);
  }

  public static ApiKeys open(Path dataDirectory) throws IOException {
    Files.createDirectories(dataDirectory);
    ApiKeys keys = new ApiKeys(dataDirectory);
    keys.refresh();
    return keys;
  }

  /** Every key, active and revoked, in creation order. */
  public List<Key> list() throws IOException {
    return new ArrayList<>(refresh().keys().values());
  }

  public boolean hasActiveKeys() throws IOException {
    return refresh().keys().values().stream().anyMatch(key -> !key.revoked());
  }

  /**
   * The principal a bearer token stands for, or null when it is not a valid, active key. Reads
   * the file again only when it changed since the last look.
   */
  public Principal authenticate(String token) throws IOException {
    if (token == null) {
      return null;
    }
    Snapshot current = refresh();
    Verified verified = token.length() == TOKEN_LENGTH && token.startsWith("sk_")
        ? current.verified().get(token.substring(3, 15)) : null;
    byte[] presentedToken = token.getBytes(StandardCharsets.UTF_8);
    if (verified != null && MessageDigest.isEqual(presentedToken, verified.token())) {
      return verified.principal();
    }
    var match = TOKEN.matcher(token);
    if (!match.matches()) {
      return null;
    }
    Key key = current.keys().get(match.group(1));
    if (key == null || key.revoked()) {
      return null;
    }
    byte[] presented = sha256(match.group(2)).getBytes(StandardCharsets.US_ASCII);
    byte[] stored = key.sha256().getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(presented, stored)) {
      return null;
    }
    Principal principal = new Principal(key.id(), key.role());
    current.verified().put(key.id(), new Verified(presentedToken, principal));
    return principal;
  }

  public Created create(Role role, String name) throws IOException {
    if (name != null && (name.length() > 100 || name.chars().anyMatch(Character::isISOControl))) {
      throw new IllegalArgumentException("a key name is at most 100 printable characters");
    }
    byte[] secretBytes = new byte[32];
    RANDOM.nextBytes(secretBytes);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    String id = randomId();
    Key key = new Key(id, name == null ? "" : name, role, sha256(secret), Instant.now(), null);
    update(keys -> keys.put(id, key));
    return new Created(key, "sk_" + id + "_" + secret);
  }

  /** Revokes a key; true if it existed and was active. */
  public boolean revoke(String id) throws IOException {
    boolean[] revoked = {false};
    update(keys -> {
      Key key = keys.get(id);
      if (key != null && !key.revoked()) {
        keys.put(id, new Key(key.id(), key.name(), key.role(), key.sha256(), key.createdAt(),
            Instant.now()));
        revoked[0] = true;
      }
    });
    return revoked[0];
  }

  private static String randomId() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder id = new StringBuilder(12);
    for (int i = 0; i < 12; i++) {
      id.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return id.toString();
  }

  static String sha256(String secret) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.US_ASCII));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private interface Change {
    void apply(Map<String, Key> keys);
  }

  /** Read-modify-write under the lock file, written atomically. */
  private void update(Change change) throws IOException {
    try (FileChannel channel = FileChannel.open(directory.resolve(LOCK),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      Map<String, Key> keys = new java.util.LinkedHashMap<>(read());
      change.apply(keys);
      write(keys);
      snapshot = Snapshot.NONE; // force a re-read
    }
  }

  /**
   * The keys as the file holds them now. One {@code stat} per call (the request path calls this
   * every time, so that a revocation counts on the next request); the file is read again only
   * when it is another version than the one held.
   */
  private Snapshot refresh() throws IOException {
    Snapshot current = snapshot;
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return Snapshot.NONE;
    }
    if (current.describes(attributes)) {
      return current;
    }
    Snapshot fresh = new Snapshot(attributes.fileKey(), attributes.lastModifiedTime(),
        attributes.size(), read(), new ConcurrentHashMap<>());
    snapshot = fresh;
    return fresh;
  }

  private Map<String, Key> read() throws IOException {
    if (!Files.exists(file)) {
      return Map.of();
    }
    JsonNode root = JSON.readTree(file.toFile());
    if (root == null || !root.isArray()) {
      throw new IOException(file + " is not a JSON array of keys");
    }
    Map<String, Key> keys = new java.util.LinkedHashMap<>();
    for (JsonNode node : root) {
      String revoked = node.path("revokedAt").isNull() || node.path("revokedAt").isMissingNode()
          ? null : node.get("revokedAt").asText();
      Key key = new Key(node.path("id").asText(), node.path("name").asText(""),
          Role.parse(node.path("role").asText()), node.path("sha256").asText(),
          Instant.parse(node.path("createdAt").asText()),
          revoked == null ? null : Instant.parse(revoked));
      keys.put(key.id(), key);
    }
    return java.util.Collections.unmodifiableMap(keys);
  }

  private void write(Map<String, Key> keys) throws IOException {
    ArrayNode array = JSON.createArrayNode();
    for (Key key : keys.values()) {
      ObjectNode node = array.addObject();
      node.put("id", key.id());
      node.put("name", key.name());
      node.put("role", key.role().name().toLowerCase(java.util.Locale.ROOT));
      node.put("sha256", key.sha256());
      node.put("createdAt", key.createdAt().toString());
      if (key.revokedAt() == null) {
        node.putNull("revokedAt");
      } else {
        node.put("revokedAt", key.revokedAt().toString());
      }
    }
    Path temp = directory.resolve(FILE + ".tmp");
    byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(array);
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(java.nio.ByteBuffer.wrap(bytes));
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }
}
