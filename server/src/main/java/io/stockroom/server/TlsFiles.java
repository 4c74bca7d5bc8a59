package io.stockroom.server;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.stockroom.server.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's TLS from the two PEM files of {@link ServerConfig}: the certificate chain and
 * its private key. Whatever can be checked before the port opens is checked here, so a bad file
 * refuses to start with a message naming it, instead of the service starting and then failing
 * every handshake: both files exist and are readable, each parses, and the key is the one the
 * first certificate of the chain was issued for.
 *
 * <p>Failures are {@link IllegalArgumentException}s ("invalid configuration: ..."), which the
 * command line reports in one line with the exit code of invalid configuration.
 */
final class TlsFiles {

  private static final Logger LOG = LoggerFactory.getLogger(TlsFiles.class);

  /** TLS 1.3 first; 1.2 only for clients without 1.3. Older versions are broken, never offered. */
  static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /**
   * A PEM chain or key is a few KiB. The bound keeps a wrong path (a log, a disk image) from
   * being read whole into memory at startup.
   */
  private static final int PEM_BYTES_MAX = 1 << 20;

  private TlsFiles() {}

  /**
   * The TLS of the listener: disabled (plain HTTP) when no TLS file is set, otherwise HTTPS with
   * the configured certificate chain and key, and nothing else on that port.
   *
   * @throws IllegalArgumentException a file is missing, unreadable or malformed, or the key does
   *     not belong to the certificate; the message names the setting and the file
   */
  static Tls load(ServerConfig config) {
    if (!config.tlsEnabled()) {
      return Tls.builder().enabled(false).build();
    }
    Path chainFile = config.tlsCertificateChainFile();
    Path keyFile = config.tlsPrivateKeyFile();
    List<X509Certificate> chain = certificateChain(chainFile);
    PrivateKey key = privateKey(keyFile);
    X509Certificate leaf = chain.getFirst();
    requireKeyOfCertificate(key, keyFile, leaf, chainFile);
    warnOutsideValidity(leaf, chainFile);
    LOG.info("TLS: serving HTTPS only ({}) with the certificate of {} from {}, valid until {}",
        String.join(", ", PROTOCOLS), leaf.getSubjectX500Principal().getName(), chainFile,
        leaf.getNotAfter().toInstant());
    return Tls.builder()
        .privateKey(key)
        .privateKeyCertChain(chain)
        .enabledProtocols(PROTOCOLS)
        .build();
  }

  private static List<X509Certificate> certificateChain(Path file) {
    byte[] pem = read("tlsCertificateChainFile", file);
    try {
      return Keys.builder()
          .pem(keys -> keys.certChain(Resource.create(file.toString(), pem)))
          .build()
          .certChain();
    } catch (RuntimeException e) {
      throw invalid("tlsCertificateChainFile", file, "is not a PEM certificate chain (expected"
          + " one or more '-----BEGIN CERTIFICATE-----' blocks, the server's first): "
          + causes(e));
    }
  }

  private static PrivateKey privateKey(Path file) {
    byte[] pem = read("tlsPrivateKeyFile", file);
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (text.contains("ENCRYPTED PRIVATE KEY")) {
      // There is nowhere safer than the key file to keep its passphrase, so none is taken:
      // the file's owner and mode protect the key.
      throw invalid("tlsPrivateKeyFile", file, "holds an encrypted key; give it unencrypted"
          + " (openssl pkcs8 -topk8 -nocrypt) and protect the file with its owner and mode");
    }
    if (text.contains("BEGIN EC PRIVATE KEY")) {
      throw invalid("tlsPrivateKeyFile", file, "holds an EC key in the SEC1 format ('BEGIN EC"
          + " PRIVATE KEY'); convert it to PKCS#8 with openssl pkcs8 -topk8 -nocrypt");
    }
    try {
      return Keys.builder()
          .pem(keys -> keys.key(Resource.create(file.toString(), pem)))
          .build()
          .privateKey()
          .orElseThrow(() -> new IllegalStateException("no private key found"));
    } catch (RuntimeException e) {
      throw invalid("tlsPrivateKeyFile", file, "is not a PEM private key (expected an"
          + " unencrypted RSA or EC key, '-----BEGIN PRIVATE KEY-----' or '-----BEGIN RSA"
          + " PRIVATE KEY-----'): " + causes(e));
    }
  }

  private static byte[] read(String setting, Path file) {
    if (Files.isDirectory(file)) {
      throw invalid(setting, file, "is a directory, not a PEM file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] pem = in.readNBytes(PEM_BYTES_MAX + 1);
      if (pem.length > PEM_BYTES_MAX) {
        throw invalid(setting, file, "is larger than " + PEM_BYTES_MAX + " bytes; a PEM"
            + " certificate chain or key is a few KiB (is the path right?)");
      }
      return pem;
    } catch (NoSuchFileException e) {
      throw invalid(setting, file, "does not exist" + (file.isAbsolute() ? ""
          : " (relative to the working directory " + Path.of("").toAbsolutePath() + ")"));
    } catch (AccessDeniedException e) {
      throw invalid(setting, file, "is not readable by this process (check its owner and mode)");
    } catch (IOException e) {
      throw invalid(setting, file, "cannot be read: " + e);
    }
  }

  /**
   * Signs with the key and verifies with the certificate's public key. A mismatched pair would
   * otherwise start cleanly and fail every handshake with an error that names neither file.
   */
  private static void requireKeyOfCertificate(PrivateKey key, Path keyFile,
      X509Certificate certificate, Path chainFile) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> throw invalid("tlsPrivateKeyFile", keyFile, "holds a " + key.getAlgorithm()
          + " key; RSA and EC keys are supported");
    };
    byte[] challenge = "stockroom: does this key belong to this certificate?"
        .getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // A key of another algorithm than the certificate's lands here: not a match either.
      matches = false;
    }
    if (!matches) {
      throw invalid("tlsPrivateKeyFile", keyFile, "does not match the certificate in"
          + " tlsCertificateChainFile " + chainFile + " (" + describe(certificate) + ", the"
          + " first in the file); the key must be the one that certificate was issued for");
    }
  }

  /** An expired certificate still starts (clients decide), but an operator must hear of it. */
  private static void warnOutsideValidity(X509Certificate certificate, Path file) {
    try {
      certificate.checkValidity();
    } catch (CertificateExpiredException e) {
      LOG.warn("TLS certificate in {} ({}) expired at {}; clients will refuse it", file,
          describe(certificate), certificate.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      LOG.warn("TLS certificate in {} ({}) is not valid before {}; clients will refuse it", file,
          describe(certificate), certificate.getNotBefore().toInstant());
    }
  }

  private static String describe(X509Certificate certificate) {
    return "subject " + certificate.getSubjectX500Principal().getName() + ", "
        + certificate.getPublicKey().getAlgorithm() + " key";
  }

  /** The messages of an exception and its causes: Helidon's own ones rarely say enough. */
  private static String causes(Throwable error) {
    StringBuilder text = new StringBuilder();
    int depth = 0;
    for (Throwable t = error; t != null && depth < 4; t = t.getCause(), depth++) {
      if (t.getMessage() != null && text.indexOf(t.getMessage()) < 0) {
        text.append(text.isEmpty() ? "" : ": ").append(t.getMessage());
      }
    }
    return text.isEmpty() ? error.getClass().getSimpleName() : text.toString();
  }

  private static IllegalArgumentException invalid(String setting, Path file, String why) {
    return new IllegalArgumentException("invalid configuration: " + setting + " " + file + " "
        + why);
  }
}
