package io.stockroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockroom.server.config.ConfigLoader;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.testing.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS on a real server: certificates are made at test time with the JDK's keytool (no test
 * dependency), written as PEM the way an operator would give them, and the client trusts exactly
 * the one certificate it was given.
 */
class TlsTest {

  private static final String PASSWORD = "test-only";

  @TempDir
  static Path pki;

  @TempDir
  Path data;

  /** The server's RSA pair, a second RSA pair (a key of another certificate), and an EC pair. */
  private static Pem rsa;
  private static Pem otherRsa;
  private static Pem ec;

  private record Pem(Path chain, Path key, X509Certificate certificate) {}

  @BeforeAll
  static void generateCertificates() throws Exception {
    rsa = selfSigned("rsa", "-keyalg", "RSA", "-keysize", "2048");
    otherRsa = selfSigned("other-rsa", "-keyalg", "RSA", "-keysize", "2048");
    ec = selfSigned("ec", "-keyalg", "EC", "-groupname", "secp256r1");
  }

  @Test
  void healthIsServedOverHttpsWithTheConfiguredCertificate() throws Exception {
    try (Service service = new Service(data, config -> withTls(config, rsa), null);
        HttpClient client = trusting(rsa.certificate(), null)) {
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(https(service, "/health/live")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.sslSession()).hasValueSatisfying(session -> {
        assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
        assertThat(certificates(session)).first().isEqualTo(rsa.certificate());
      });
    }
  }

  @Test
  void ecKeyAndCertificateAreServedToo() throws Exception {
    try (Service service = new Service(data, config -> withTls(config, ec), null);
        HttpClient client = trusting(ec.certificate(), null)) {
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(https(service, "/health/live")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void clientWithoutTls13IsServedOverTls12() throws Exception {
    try (Service service = new Service(data, config -> withTls(config, rsa), null);
        HttpClient client = trusting(rsa.certificate(), "TLSv1.2")) {
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(https(service, "/health/live")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.2");
    }
  }

  @Test
  void clientThatTrustsAnotherCertificateIsRefused() throws Exception {
    try (Service service = new Service(data, config -> withTls(config, rsa), null);
        HttpClient client = trusting(otherRsa.certificate(), null)) {
      HttpRequest request = HttpRequest.newBuilder(https(service, "/health/live")).build();

      assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void plainHttpToTheHttpsPortIsNotServed() throws Exception {
    try (Service service = new Service(data, config -> withTls(config, rsa), null);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .build()) {
      // Service.uri is the plain http:// address of the same port; the server answers the
      // plaintext with a TLS alert at most, never with HTTP.
      HttpRequest request = HttpRequest.newBuilder(service.uri("/health/live"))
          .timeout(Duration.ofSeconds(30)).build();

      assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void keyOfAnotherCertificateRefusesToStartNamingBothFiles() throws IOException {
    ServerConfig mismatched = withTls(Service.config(data), rsa.chain(), otherRsa.key());

    assertThatThrownBy(() -> Stockroom.start(mismatched))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid configuration: tlsPrivateKeyFile " + otherRsa.key()
            + " does not match the certificate in tlsCertificateChainFile " + rsa.chain())
        .hasMessageContaining("CN=localhost");
    // Refused before the data directory was locked or the journal opened: nothing to undo.
    try (Stream<Path> left = Files.list(data)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void keyOfAnotherAlgorithmRefusesToStart() {
    ServerConfig mismatched = withTls(Service.config(data), rsa.chain(), ec.key());

    assertThatThrownBy(() -> Stockroom.start(mismatched))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tlsPrivateKeyFile " + ec.key() + " does not match");
  }

  @Test
  void malformedPemRefusesToStartNamingTheFile() throws IOException {
    Path garbage = Files.writeString(pki.resolve("garbage.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
    Path empty = Files.writeString(pki.resolve("empty.pem"), "");

    assertThatThrownBy(() -> Stockroom.start(withTls(Service.config(data), garbage, rsa.key())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid configuration: tlsCertificateChainFile " + garbage
            + " is not a PEM certificate chain");
    assertThatThrownBy(() -> Stockroom.start(withTls(Service.config(data), rsa.chain(), empty)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid configuration: tlsPrivateKeyFile " + empty
            + " is not a PEM private key");
    // The two files swapped: a certificate where the key belongs.
    assertThatThrownBy(() -> Stockroom.start(withTls(Service.config(data), rsa.key(),
        rsa.chain())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid configuration: tlsCertificateChainFile " + rsa.key()
            + " is not a PEM certificate chain");
  }

  @Test
  void keyInAFormatNotReadRefusesToStartSayingHowToConvertIt() throws IOException {
    Path encrypted = Files.writeString(pki.resolve("encrypted.pem"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkq\n"
            + "-----END ENCRYPTED PRIVATE KEY-----\n");
    Path sec1 = Files.writeString(pki.resolve("sec1.pem"),
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n");

    assertThatThrownBy(() -> Stockroom.start(withTls(Service.config(data), rsa.chain(),
        encrypted)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tlsPrivateKeyFile " + encrypted + " holds an encrypted key")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    assertThatThrownBy(() -> Stockroom.start(withTls(Service.config(data), ec.chain(), sec1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tlsPrivateKeyFile " + sec1 + " holds an EC key in the SEC1 format")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void missingFileRefusesToStartNamingIt() {
    Path absent = pki.resolve("absent.pem");

    assertThatThrownBy(() -> Stockroom.start(withTls(Service.config(data), absent, rsa.key())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid configuration: tlsCertificateChainFile " + absent
            + " does not exist");
    assertThatThrownBy(() -> Stockroom.start(withTls(Service.config(data), rsa.chain(), pki)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid configuration: tlsPrivateKeyFile " + pki
            + " is a directory, not a PEM file");
  }

  @Test
  void onlyOneOfTheTwoFilesRefusesToStart() {
    assertThatThrownBy(() -> ConfigLoader.load(null,
        Map.of("STOCKROOM_TLS_CERTIFICATE_CHAIN_FILE", rsa.chain().toString()), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tlsCertificateChainFile is set but tlsPrivateKeyFile is not")
        .hasMessageContaining("tlsCertificateChainFile = \"" + rsa.chain()
            + "\" from environment variable STOCKROOM_TLS_CERTIFICATE_CHAIN_FILE")
        .hasMessageContaining("tlsPrivateKeyFile not set");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
        List.of(new ConfigLoader.Flag("tlsPrivateKeyFile", rsa.key().toString(), "--set"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tlsPrivateKeyFile is set but tlsCertificateChainFile is not");
  }

  @Test
  void serveWithABadTlsSetupExitsAsInvalidConfigurationInOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code = Main.run(new String[] {"serve", "--data", data.toString(), "--port", "0",
        "--set", "tlsCertificateChainFile=" + rsa.chain(),
        "--set", "tlsPrivateKeyFile=" + otherRsa.key()}, Map.of(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(Main.EXIT_USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("stockroom: invalid configuration: tlsPrivateKeyFile " + otherRsa.key()
            + " does not match")
        .hasLineCount(1);
  }

  // --- fixtures -------------------------------------------------------------------------------

  private static URI https(Service service, String path) {
    return URI.create("https://127.0.0.1:" + service.stockroom().port() + path);
  }

  private static ServerConfig withTls(ServerConfig config, Pem pem) {
    return withTls(config, pem.chain(), pem.key());
  }

  /** The canonical constructor, as in Service.config: every other setting unchanged. */
  private static ServerConfig withTls(ServerConfig d, Path chain, Path key) {
    return d.withTls(chain, key);
  }

  /** A client that trusts {@code certificate} and nothing else; {@code protocol} null for any. */
  private static HttpClient trusting(X509Certificate certificate, String protocol)
      throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("server", certificate);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    HttpClient.Builder client = HttpClient.newBuilder().sslContext(context)
        .connectTimeout(Duration.ofSeconds(10));
    if (protocol != null) {
      SSLParameters parameters = context.getDefaultSSLParameters();
      parameters.setProtocols(new String[] {protocol});
      client.sslParameters(parameters);
    }
    return client.build();
  }

  private static List<Certificate> certificates(SSLSession session) {
    try {
      return List.of(session.getPeerCertificates());
    } catch (SSLPeerUnverifiedException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * keytool makes a self-signed certificate for 127.0.0.1 in a PKCS#12 store; the certificate
   * and the key are then written as PEM (the key as PKCS#8), the format the service reads.
   */
  private static Pem selfSigned(String name, String... algorithm) throws Exception {
    Path store = pki.resolve(name + ".p12");
    Path log = pki.resolve(name + ".keytool.log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", name, "-dname", "CN=localhost",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-keystore", store.toString(), "-storetype", "PKCS12",
        "-storepass", PASSWORD, "-keypass", PASSWORD));
    command.addAll(List.of(algorithm));
    Process keytool = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!keytool.waitFor(60, TimeUnit.SECONDS)) {
      keytool.destroyForcibly();
      throw new AssertionError("keytool did not finish in 60 s: " + Files.readString(log));
    }
    assertThat(keytool.exitValue()).as(Files.readString(log)).isZero();

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    X509Certificate certificate = (X509Certificate) keys.getCertificate(name);
    PrivateKey key = (PrivateKey) keys.getKey(name, PASSWORD.toCharArray());
    Path chain = Files.writeString(pki.resolve(name + "-chain.pem"),
        pem("CERTIFICATE", certificate.getEncoded()));
    Path keyFile = Files.writeString(pki.resolve(name + "-key.pem"),
        pem("PRIVATE KEY", key.getEncoded()));
    return new Pem(chain, keyFile, certificate);
  }

  private static String pem(String type, byte[] der) {
    String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
  }
}
