package io.stockroom.server.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.stockroom.server.http.ProblemException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks bearer JWTs from the shop's identity provider: an asymmetric signature by one of the
 * configured public keys (HMAC and {@code none} are never accepted, so a public key cannot be
 * used as a shared secret), the exact issuer, the audience, expiry (required) with a bounded
 * clock skew, and a subject (required: it is the actor events record). The role comes from the
 * configured claim. The keys file is re-read when it changes, at most every few seconds.
 */
public final class JwtVerifier {

  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
  private static final Pattern PEM_PUBLIC_KEY = Pattern.compile(
      "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");
  private static final int KEYS_FILE_BYTES_MAX = 1 << 20;
  private static final long RELOAD_CHECK_MILLIS = 5_000;
  /** Longer subjects are refused: the actor goes into every event the caller causes. */
  private static final int SUBJECT_LENGTH_MAX = 190;
  private static final String NOT_A_JWT =
      "the bearer token is neither an API key nor a well-formed JWT";

  private record Loaded(DefaultJWTProcessor<SecurityContext> processor, FileTime modified,
      long checkedAt) {}

  private final JwtSettings settings;
  private volatile Loaded loaded;

  private JwtVerifier(JwtSettings settings, Loaded loaded) {
    this.settings = settings;
    this.loaded = loaded;
  }

  /**
   * Loads the keys file; refuses to start (IllegalArgumentException naming the file) when it is
   * unreadable, holds no usable public key, or is not JWKS or PEM.
   */
  public static JwtVerifier load(JwtSettings settings) {
    return new JwtVerifier(settings, read(settings, System.currentTimeMillis()));
  }

  /**
   * The caller the token stands for.
   *
   * @throws ProblemException 401 for a token that does not verify, naming why (never echoing
   *     it), 403 when it verifies but grants no role
   */
  public Principal verify(String token) {
    JWTClaimsSet claims;
    try {
      claims = current().processor().process(token, null);
    } catch (ParseException e) {
      throw refused(NOT_A_JWT);
    } catch (BadJWSException e) {
      throw refused("the JWT's signature does not verify against the configured keys");
    } catch (BadJWTException e) {
      throw refused(claimsProblem(e.getMessage()));
    } catch (BadJOSEException e) {
      throw refused("the JWT is not signed with an accepted algorithm (RS*, PS*, ES*) by a"
          + " configured key");
    } catch (JOSEException e) {
      throw refused("the JWT could not be verified");
    }
    String subject = claims.getSubject();
    if (subject.isEmpty() || subject.length() > SUBJECT_LENGTH_MAX
        || subject.chars().anyMatch(Character::isISOControl)) {
      throw refused("the JWT's subject must be 1.." + SUBJECT_LENGTH_MAX
          + " characters without control characters");
    }
    Role role = role(claims.getClaim(settings.rolesClaim()));
    if (role == null) {
      throw new ProblemException(403, "forbidden", "Not allowed", "the JWT's '"
          + settings.rolesClaim() + "' claim grants none of the roles read, write, admin");
    }
    return Principal.ofToken(subject, role);
  }

  private Loaded current() {
    Loaded now = loaded;
    long time = System.currentTimeMillis();
    if (time - now.checkedAt() < RELOAD_CHECK_MILLIS) {
      return now;
    }
    try {
      if (Files.getLastModifiedTime(settings.keysFile()).equals(now.modified())) {
        loaded = new Loaded(now.processor(), now.modified(), time);
        return loaded;
      }
      loaded = read(settings, time);
    } catch (IOException | IllegalArgumentException e) {
      // A half-written or removed file must not lock everyone out: keep the keys we have.
      loaded = new Loaded(now.processor(), now.modified(), time);
    }
    return loaded;
  }

  /** The highest role the claim names, or null. */
  private static Role role(Object claim) {
    Collection<?> names = switch (claim) {
      case String text -> List.of(text.trim().split("\\s+"));
      case Collection<?> list -> list;
      case null, default -> List.of();
    };
    Role highest = null;
    for (Object name : names) {
      Role role = switch (String.valueOf(name).toLowerCase(Locale.ROOT)) {
        case "read" -> Role.READ;
        case "write" -> Role.WRITE;
        case "admin" -> Role.ADMIN;
        default -> null;
      };
      if (role != null && (highest == null || role.includes(highest))) {
        highest = role;
      }
    }
    return highest;
  }

  private static String claimsProblem(String message) {
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("expired")) {
      return "the JWT has expired";
    }
    if (lower.contains("json")) {
      return NOT_A_JWT;
    }
    if (lower.contains("missing required")) { // before "iss": "missing" contains it
      return "the JWT lacks a required claim (sub, exp, iss, aud)";
    }
    if (lower.contains("aud")) {
      return "the JWT's audience does not include this service";
    }
    if (lower.contains("iss")) {
      return "the JWT's issuer is not the configured one";
    }
    if (lower.contains("before use")) {
      return "the JWT is not valid yet (nbf)";
    }
    return "the JWT's claims are not acceptable";
  }

  private static ProblemException refused(String detail) {
    return new ProblemException(401, "unauthenticated", "Authentication required", detail);
  }

  // ---------------------------------------------------------------------------------------------

  private static Loaded read(JwtSettings settings, long now) {
    Path file = settings.keysFile();
    JWKSet keys;
    boolean pem;
    FileTime modified;
    try {
      modified = Files.getLastModifiedTime(file);
      if (Files.size(file) > KEYS_FILE_BYTES_MAX) {
        throw invalid(file, "is larger than " + KEYS_FILE_BYTES_MAX + " bytes");
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      pem = !text.stripLeading().startsWith("{");
      keys = pem ? pem(file, text) : jwks(file, text);
    } catch (IOException e) {
      throw invalid(file, "cannot be read: " + e.getMessage());
    }
    if (keys.getKeys().isEmpty()) {
      throw invalid(file, "holds no public key");
    }
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(pem ? anyKeyOfTheAlgorithm(keys.getKeys())
        : new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(keys)));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        Set.of(settings.audience()),
        new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
        Set.of("sub", "exp", "iss", "aud"), null);
    claims.setMaxClockSkew(settings.clockSkewSeconds());
    processor.setJWTClaimsSetVerifier(claims);
    return new Loaded(processor, modified, now);
  }

  /**
   * PEM keys have no key ids, so a token's {@code kid} (which every provider sets) cannot pick
   * one: each key of the token's algorithm family is tried. A JWKS matches by {@code kid}.
   */
  private static JWSKeySelector<SecurityContext> anyKeyOfTheAlgorithm(List<JWK> keys) {
    return (header, context) -> {
      JWSAlgorithm algorithm = header.getAlgorithm();
      List<Key> candidates = new ArrayList<>();
      if (!ALGORITHMS.contains(algorithm)) {
        return candidates;
      }
      for (JWK key : keys) {
        try {
          if (key instanceof RSAKey rsa && !JWSAlgorithm.Family.EC.contains(algorithm)) {
            candidates.add(rsa.toRSAPublicKey());
          } else if (key instanceof ECKey ec && Curve.forJWSAlgorithm(algorithm)
              .contains(ec.getCurve())) {
            candidates.add(ec.toECPublicKey());
          }
        } catch (JOSEException e) {
          throw new KeySourceException("public key " + key.getKeyID() + " is unusable", e);
        }
      }
      return candidates;
    };
  }

  private static JWKSet jwks(Path file, String text) {
    try {
      // Public parts only: a JWKS with private keys in it must not make them usable here.
      return JWKSet.parse(text).toPublicJWKSet();
    } catch (ParseException e) {
      throw invalid(file, "is not a valid JWKS document: " + e.getMessage());
    }
  }

  private static JWKSet pem(Path file, String text) {
    List<JWK> keys = new ArrayList<>();
    Matcher matcher = PEM_PUBLIC_KEY.matcher(text);
    while (matcher.find()) {
      byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
      keys.add(jwk(file, der, keys.size()));
    }
    if (keys.isEmpty()) {
      throw invalid(file, "is neither a JWKS document nor PEM with '-----BEGIN PUBLIC KEY-----'"
          + " blocks");
    }
    return new JWKSet(keys);
  }

  private static JWK jwk(Path file, byte[] der, int index) {
    String keyId = "pem-" + index;
    for (String algorithm : List.of("RSA", "EC")) {
      PublicKey key;
      try {
        key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        continue;
      }
      if (key instanceof RSAPublicKey rsa) {
        return new RSAKey.Builder(rsa).keyID(keyId).build();
      }
      ECPublicKey ec = (ECPublicKey) key;
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (curve == null) {
        throw invalid(file, "public key " + (index + 1) + " is on an unsupported EC curve");
      }
      return new ECKey.Builder(curve, ec).keyID(keyId).build();
    }
    throw invalid(file, "public key " + (index + 1) + " is neither RSA nor EC");
  }

  private static IllegalArgumentException invalid(Path file, String why) {
    return new IllegalArgumentException("invalid configuration: jwt.keysFile " + file + " "
        + why);
  }
}
