package io.stockroom.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockroom.engine.Limits;
import io.stockroom.journal.JournalConfig;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path directory;

  private static final Map<String, String> NO_ENVIRONMENT = Map.of();

  private Path file(String... lines) throws IOException {
    return Files.write(directory.resolve("stockroom.properties"), List.of(lines));
  }

  private static ConfigLoader.Flag set(String key, String value) {
    return new ConfigLoader.Flag(key, value, "--set");
  }

  @Test
  void nothingGivenLoadsTheDefaults() {
    assertThat(ConfigLoader.load(null, NO_ENVIRONMENT, List.of()))
        .isEqualTo(ServerConfig.defaults());
  }

  @Test
  void environmentOverridesFileAndFlagsOverrideBoth() throws IOException {
    Path file = file("port=1111", "queueCapacity=100", "listLimitMax=50");
    Map<String, String> environment = Map.of("STOCKROOM_PORT", "2222",
        "STOCKROOM_QUEUE_CAPACITY", "200");

    ServerConfig config = ConfigLoader.load(file, environment,
        List.of(new ConfigLoader.Flag("port", "3333", "--port")));

    assertThat(config.port()).isEqualTo(3333);
    assertThat(config.queueCapacity()).isEqualTo(200);
    assertThat(config.listLimitMax()).isEqualTo(50);
    assertThat(config.batchCommandsMax()).isEqualTo(ServerConfig.defaults().batchCommandsMax());
  }

  @Test
  void laterFlagWinsOverEarlierFlag() {
    ServerConfig config = ConfigLoader.load(null, NO_ENVIRONMENT,
        List.of(set("port", "1"), set("port", "2")));

    assertThat(config.port()).isEqualTo(2);
  }

  @Test
  void configFileIsNamedByEnvironmentWhenNoFlagNamesOne() throws IOException {
    Path file = file("host=0.0.0.0");

    ServerConfig config = ConfigLoader.load(null,
        Map.of(ConfigLoader.CONFIG_FILE_VARIABLE, file.toString()), List.of());

    assertThat(config.host()).isEqualTo("0.0.0.0");
  }

  @Test
  void configFlagWinsOverConfigVariable() throws IOException {
    Path flagged = file("port=4444");

    ServerConfig config = ConfigLoader.load(flagged,
        Map.of(ConfigLoader.CONFIG_FILE_VARIABLE, directory.resolve("absent").toString()),
        List.of());

    assertThat(config.port()).isEqualTo(4444);
  }

  @Test
  void engineLimitsAndJournalSettingsLoadFromEverySource() throws IOException {
    Path file = file("limits.quantityMax=5000", "journal.segmentBytesMax=1048576");
    Map<String, String> environment = Map.of("STOCKROOM_ITEMS_MAX", "77",
        "STOCKROOM_JOURNAL_SNAPSHOTS_RETAINED", "3", "STOCKROOM_DATA", "/srv/stock");

    ServerConfig config = ConfigLoader.load(file, environment,
        List.of(set("limits.holdTimeoutMillisMax", "3600000")));

    assertThat(config.limits().quantityMax()).isEqualTo(5000);
    assertThat(config.limits().itemsMax()).isEqualTo(77);
    assertThat(config.limits().holdTimeoutMillisMax()).isEqualTo(3_600_000);
    assertThat(config.journal().segmentBytesMax()).isEqualTo(1 << 20);
    assertThat(config.journal().snapshotsRetained()).isEqualTo(3);
    assertThat(config.dataDirectory()).isEqualTo(Path.of("/srv/stock"));
  }

  @Test
  void everyRecordComponentHasAKey() {
    List<String> expected = new ArrayList<>();
    for (RecordComponent component : ServerConfig.class.getRecordComponents()) {
      if (component.getType() == Limits.class) {
        for (RecordComponent limit : Limits.class.getRecordComponents()) {
          expected.add("limits." + limit.getName());
        }
      } else if (component.getType() == JournalConfig.class) {
        for (RecordComponent setting : JournalConfig.class.getRecordComponents()) {
          expected.add("journal." + setting.getName());
        }
      } else if (component.getType()
          == io.stockroom.server.security.RateLimitSettings.class) {
        for (String role : List.of("read", "write", "admin")) {
          for (RecordComponent rate
              : io.stockroom.server.security.RateLimitSettings.Rate.class.getRecordComponents()) {
            expected.add("rateLimits." + role + "." + rate.getName());
          }
        }
        expected.add("rateLimits.bucketsMax");
      } else if (component.getType() == io.stockroom.server.http.HttpLimits.class) {
        for (RecordComponent limit
            : io.stockroom.server.http.HttpLimits.class.getRecordComponents()) {
          expected.add("http." + limit.getName());
        }
      } else if (component.getType() == io.stockroom.server.security.JwtSettings.class) {
        for (RecordComponent setting
            : io.stockroom.server.security.JwtSettings.class.getRecordComponents()) {
          expected.add("jwt." + setting.getName());
        }
      } else if (component.getType()
          == io.stockroom.server.storefront.PublicFeedSettings.class) {
        for (RecordComponent setting
            : io.stockroom.server.storefront.PublicFeedSettings.class.getRecordComponents()) {
          expected.add("publicFeed." + setting.getName());
        }
      } else {
        expected.add(component.getName());
      }
    }

    assertThat(ConfigLoader.keys()).containsExactlyElementsOf(expected);
  }

  @Test
  void everyKeyRoundTripsFromItsEnvironmentVariable() {
    ServerConfig defaults = ServerConfig.defaults();
    Set<String> variables = new HashSet<>();
    for (String key : ConfigLoader.keys()) {
      String variable = ConfigLoader.variable(key);
      assertThat(variables.add(variable)).as("unique variable %s", variable).isTrue();
      Object value = valueOf(defaults, key);
      if (value == null || value instanceof List<?> list && list.isEmpty()) {
        continue; // unset by default (TLS and JWT files, CORS origins): tested on their own
      }

      // Loading the default from the variable must give the defaults back, for every key.
      assertThat(ConfigLoader.load(null, Map.of(variable, String.valueOf(value)), List.of()))
          .as(variable).isEqualTo(defaults);
    }
    assertThat(ConfigLoader.variable("port")).isEqualTo("STOCKROOM_PORT");
    assertThat(ConfigLoader.variable("dataDirectory")).isEqualTo("STOCKROOM_DATA");
    assertThat(ConfigLoader.variable("queueCapacity")).isEqualTo("STOCKROOM_QUEUE_CAPACITY");
    assertThat(ConfigLoader.variable("limits.quantityMax")).isEqualTo("STOCKROOM_QUANTITY_MAX");
    assertThat(ConfigLoader.variable("journal.segmentBytesMax"))
        .isEqualTo("STOCKROOM_JOURNAL_SEGMENT_BYTES_MAX");
  }

  @Test
  void tlsFilesLoadFromEverySourceAndAreUnsetByDefault() throws IOException {
    assertThat(ServerConfig.defaults().tlsCertificateChainFile()).isNull();
    assertThat(ServerConfig.defaults().tlsPrivateKeyFile()).isNull();
    assertThat(ServerConfig.defaults().tlsEnabled()).isFalse();
    Path file = file("tlsCertificateChainFile=/etc/stockroom/chain.pem");
    Map<String, String> environment =
        Map.of("STOCKROOM_TLS_PRIVATE_KEY_FILE", "/etc/stockroom/key.pem");

    ServerConfig fromFileAndEnvironment = ConfigLoader.load(file, environment, List.of());
    ServerConfig fromFlags = ConfigLoader.load(null, NO_ENVIRONMENT,
        List.of(set("tlsCertificateChainFile", "chain.pem"), set("tlsPrivateKeyFile", "key.pem")));

    assertThat(fromFileAndEnvironment.tlsCertificateChainFile())
        .isEqualTo(Path.of("/etc/stockroom/chain.pem"));
    assertThat(fromFileAndEnvironment.tlsPrivateKeyFile())
        .isEqualTo(Path.of("/etc/stockroom/key.pem"));
    assertThat(fromFileAndEnvironment.tlsEnabled()).isTrue();
    assertThat(fromFlags.tlsCertificateChainFile()).isEqualTo(Path.of("chain.pem"));
    assertThat(fromFlags.tlsPrivateKeyFile()).isEqualTo(Path.of("key.pem"));
    assertThat(ConfigLoader.variable("tlsCertificateChainFile"))
        .isEqualTo("STOCKROOM_TLS_CERTIFICATE_CHAIN_FILE");
    assertThat(ConfigLoader.variable("tlsPrivateKeyFile"))
        .isEqualTo("STOCKROOM_TLS_PRIVATE_KEY_FILE");
  }

  @Test
  void oneTlsFileWithoutTheOtherIsRefusedNamingBoth() throws IOException {
    Path file = file("tlsPrivateKeyFile=key.pem");

    assertThatThrownBy(() -> ConfigLoader.load(file, NO_ENVIRONMENT, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tlsPrivateKeyFile is set but tlsCertificateChainFile is not")
        .hasMessageContaining("tlsPrivateKeyFile = \"key.pem\" from file " + file)
        .hasMessageContaining("tlsCertificateChainFile not set");
  }

  private static Object valueOf(ServerConfig config, String key) {
    try {
      // A dotted key is a chain of accessors; "http" is the httpLimits component.
      Object holder = config;
      String[] parts = key.replaceFirst("^http\\.", "httpLimits.").split("\\.");
      for (int i = 0; i < parts.length - 1; i++) {
        holder = holder.getClass().getMethod(parts[i]).invoke(holder);
      }
      String name = parts[parts.length - 1];
      return holder.getClass().getMethod(name).invoke(holder);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(key, e);
    }
  }

  @Test
  void notANumberFromEnvironmentNamesKeyVariableAndValue() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("STOCKROOM_PORT", "80a"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port")
        .hasMessageContaining("environment variable STOCKROOM_PORT")
        .hasMessageContaining("\"80a\"")
        .hasMessageContaining("not a whole number");
  }

  @Test
  void notANumberFromFileNamesKeyFileAndValue() throws IOException {
    Path file = file("journal.batchRecordsMax = 8k");

    assertThatThrownBy(() -> ConfigLoader.load(file, NO_ENVIRONMENT, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("journal.batchRecordsMax")
        .hasMessageContaining("file " + file)
        .hasMessageContaining("\"8k\"");
  }

  @Test
  void fractionAndEmptyValuesAreRefused() {
    assertThatThrownBy(() -> ConfigLoader.load(null, NO_ENVIRONMENT,
        List.of(set("limits.quantityMax", "1.5"))))
        .hasMessageContaining("limits.quantityMax").hasMessageContaining("\"1.5\"")
        .hasMessageContaining("flag --set");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("STOCKROOM_HOST", " "), List.of()))
        .hasMessageContaining("host").hasMessageContaining("empty");
  }

  @Test
  void numberTooLargeForItsTypeIsRefusedNotWrapped() {
    assertThatThrownBy(() -> ConfigLoader.load(null, NO_ENVIRONMENT,
        List.of(new ConfigLoader.Flag("port", "4294967376", "--port"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port = \"4294967376\" (flag --port)")
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> ConfigLoader.load(null, NO_ENVIRONMENT,
        List.of(set("snapshotEveryEvents", "99999999999999999999"))))
        .hasMessageContaining("snapshotEveryEvents").hasMessageContaining("out of range");
  }

  @Test
  void outOfRangeValueNamesKeySourceAndValue() {
    assertThatThrownBy(() -> ConfigLoader.load(null, NO_ENVIRONMENT,
        List.of(new ConfigLoader.Flag("port", "70000", "--port"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port must be 0..65535, was 70000")
        .hasMessageContaining("port = \"70000\" from flag --port");
  }

  @Test
  void outOfRangeEngineLimitNamesKeySourceAndValue() {
    assertThatThrownBy(() -> ConfigLoader.load(null,
        Map.of("STOCKROOM_QUANTITY_MAX", "2000000000"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quantityMax must be 1..1000000000")
        .hasMessageContaining(
            "limits.quantityMax = \"2000000000\" from environment variable STOCKROOM_QUANTITY_MAX");
  }

  @Test
  void outOfRangeJournalSettingNamesKeySourceAndValue() throws IOException {
    Path file = file("journal.snapshotsRetained=0");

    assertThatThrownBy(() -> ConfigLoader.load(file, NO_ENVIRONMENT, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid journal configuration: snapshotsRetained")
        .hasMessageContaining("journal.snapshotsRetained = \"0\" from file " + file);
  }

  @Test
  void unknownKeyIsRefusedFromEverySource() throws IOException {
    Path file = file("queueCapacty=10");

    assertThatThrownBy(() -> ConfigLoader.load(file, NO_ENVIRONMENT, List.of()))
        .hasMessageContaining("unknown setting 'queueCapacty'").hasMessageContaining("file");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("STOCKROOM_PROT", "1"), List.of()))
        .hasMessageContaining("unknown setting STOCKROOM_PROT");
    assertThatThrownBy(() -> ConfigLoader.load(null, NO_ENVIRONMENT,
        List.of(set("limits.quantity", "1"))))
        .hasMessageContaining("unknown setting 'limits.quantity'")
        .hasMessageContaining("flag --set");
  }

  @Test
  void otherEnvironmentVariablesAreIgnored() {
    Map<String, String> environment = Map.of("PATH", "/bin", "PORT", "nonsense",
        "STOCKROOM_JAVA_OPTS", "-Xmx1g");

    assertThat(ConfigLoader.load(null, environment, List.of()))
        .isEqualTo(ServerConfig.defaults());
  }

  @Test
  void missingConfigFileIsRefused() {
    Path absent = directory.resolve("absent.properties");

    assertThatThrownBy(() -> ConfigLoader.load(absent, NO_ENVIRONMENT, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(absent + " does not exist");
  }

  @Test
  void crossFieldErrorNamesEverySettingInvolvedAndWhereItCameFrom() {
    assertThatThrownBy(() -> ConfigLoader.load(null,
        Map.of("STOCKROOM_EXPIRIES_PER_COMMAND_MAX", "9000"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchRecordsMax (8192) must be at least expiriesPerCommandMax + 3")
        .hasMessageContaining("limits.expiriesPerCommandMax = \"9000\" from environment variable"
            + " STOCKROOM_EXPIRIES_PER_COMMAND_MAX")
        .hasMessageContaining("journal.batchRecordsMax = 8192 by default");
  }

  @Test
  void holdTimeoutMinimumAboveMaximumIsRefused() {
    assertThatThrownBy(() -> ConfigLoader.load(null, NO_ENVIRONMENT,
        List.of(set("limits.holdTimeoutMillisMin", "5000"),
            set("limits.holdTimeoutMillisMax", "4000"))))
        .hasMessageContaining("holdTimeoutMillisMax (4000) must be >= holdTimeoutMillisMin (5000)")
        .hasMessageContaining("limits.holdTimeoutMillisMin = \"5000\" from flag --set")
        .hasMessageContaining("limits.holdTimeoutMillisMax = \"4000\" from flag --set");
  }

  @Test
  void defaultHoldTtlOutsideTheHoldTimeoutLimitsIsRefused() {
    assertThatThrownBy(() -> ConfigLoader.load(null, NO_ENVIRONMENT,
        List.of(set("limits.holdTimeoutMillisMax", "60000"))))
        .hasMessageContaining("holdTtlSecondsDefault (900 s) must lie within")
        .hasMessageContaining("holdTtlSecondsDefault = 900 by default");
  }

  @Test
  void holdTtlThatWouldOverflowIntoRangeIsRefused() {
    // 18446744073709553 * 1000 wraps to 1384 ms, inside the default hold timeout limits.
    assertThatThrownBy(() -> ConfigLoader.load(null, NO_ENVIRONMENT,
        List.of(set("holdTtlSecondsDefault", "18446744073709553"))))
        .hasMessageContaining("holdTtlSecondsDefault = \"18446744073709553\" from flag --set");
  }

  @Test
  void documentationDescribesEverySetting() throws IOException {
    String documentation = Files.readString(Path.of("..", "docs", "CONFIGURATION.md"));
    for (String key : ConfigLoader.keys()) {
      assertThat(documentation).as(key).contains("`" + key + "`")
          .contains("`" + ConfigLoader.variable(key) + "`");
    }
  }
}
