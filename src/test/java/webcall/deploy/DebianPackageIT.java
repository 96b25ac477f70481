package webcall.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import webcall.support.ChildProcess;
import webcall.support.Command;

/**
 * The Debian package the build makes (deploy/deb/build, in pre-integration-test): what it holds,
 * its own runtime running the server from an extracted copy, the systemd unit accepted by
 * systemd-analyze, and, in CI only (it changes the machine), a real dpkg install and removal.
 */
class DebianPackageIT {
  static final Pattern LISTENING = Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");
  static final Path UNIT = Path.of("deploy", "systemd", "webcall.service");
  static Path deb;

  /**
   * Built by `mvn verify` unless -Ddeb.skip=true: then these are skipped, except in CI, where it
   * must be there.
   */
  @BeforeAll
  static void findThePackage() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      List<Path> debs =
          files.filter(p -> p.getFileName().toString().matches("webcall_.*\\.deb")).toList();
      if (debs.isEmpty() && !"true".equals(System.getenv("CI"))) {
        Assumptions.abort(
            "skipped: no target/webcall_*.deb (built by mvn verify unless -Ddeb.skip=true)");
      }
      assertThat(debs).as("the build makes exactly one package in target/").hasSize(1);
      deb = debs.get(0);
    }
  }

  static Path extract(Path dir) throws Exception {
    Command.Result x = Command.run(120, "dpkg-deb", "-x", deb.toString(), dir.toString());
    assertThat(x.exit()).as(x.output()).isZero();
    return dir;
  }

  @Test
  void itHoldsTheLauncherTheRuntimeTheUnitAndTheDefaults() throws Exception {
    Command.Result info = Command.run(60, "dpkg-deb", "--info", deb.toString());
    assertThat(info.exit()).as(info.output()).isZero();
    assertThat(info.output()).contains("Package: webcall", "conffiles");
    // No Java among its dependencies (the runtime is inside), and no desktop libraries for a
    // server.
    assertThat(info.output())
        .doesNotContainPattern("Depends:.*(openjdk|java|default-jre)")
        .doesNotContain("libx11", "libasound");
    Command.Result contents = Command.run(60, "dpkg-deb", "--contents", deb.toString());
    assertThat(contents.output())
        .contains(
            "./opt/webcall/bin/webcall",
            "./opt/webcall/lib/runtime/lib/server/libjvm.so",
            "./opt/webcall/lib/app/webcall.jar",
            "./lib/systemd/system/webcall.service",
            "./etc/default/webcall");
  }

  @Test
  void thePackagedBinaryServesWithItsOwnRuntime(@TempDir Path dir) throws Exception {
    Path root = extract(dir);
    assertThat(Files.readString(root.resolve("lib/systemd/system/webcall.service")))
        .isEqualTo(Files.readString(UNIT));
    Path binary = root.resolve("opt/webcall/bin/webcall");
    assertThat(Files.isExecutable(binary)).isTrue();
    // Without JAVA_HOME or a java on PATH: the package's runtime is what runs.
    Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", "/nonexistent");
    try (ChildProcess p =
        ChildProcess.start(
            List.of(
                binary.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--stun-port",
                "0",
                "--data-dir",
                dir.resolve("state").toString()),
            env,
            LISTENING,
            Duration.ofSeconds(60),
            "webcall-deb")) {
      int port = Integer.parseInt(p.readyLine().group(1));
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
      assertThat(p.stop(Duration.ofSeconds(15))).isZero();
    }
  }

  /**
   * systemd-analyze verify also checks that ExecStart's program exists, and /opt/webcall is not
   * installed here: a copy of the unit points at the extracted package's binary instead, the rest
   * unchanged.
   */
  @Test
  void systemdAcceptsTheUnit(@TempDir Path dir) throws Exception {
    Path root = extract(dir.resolve("root"));
    String unit = Files.readString(UNIT);
    assertThat(unit)
        .contains(
            "ExecStart=/opt/webcall/bin/webcall --data-dir ${STATE_DIRECTORY}",
            "DynamicUser=yes",
            "StateDirectory=webcall",
            "ProtectSystem=strict",
            "EnvironmentFile=-/etc/default/webcall",
            "LimitNOFILE=65536",
            "Restart=on-failure");
    Path copy = dir.resolve("webcall.service");
    Files.writeString(
        copy,
        unit.replace(
            "ExecStart=/opt/webcall/bin/webcall",
            "ExecStart=" + root.resolve("opt/webcall/bin/webcall")));
    Command.Result verify = Command.run(60, "systemd-analyze", "verify", copy.toString());
    assertThat(verify.exit()).as(verify.output()).isZero();
    assertThat(verify.output()).as("warnings about the unit").doesNotContain("webcall.service");
  }

  @Test
  void dpkgInstallsAndRemovesItInCi() throws Exception {
    Assumptions.assumeTrue(
        "true".equals(System.getenv("CI")),
        "skipped outside CI: dpkg -i changes this machine (CI=true runs it)");
    Command.Result install = Command.run(300, "dpkg", "-i", deb.toString());
    try {
      assertThat(install.exit()).as(install.output()).isZero();
      assertThat(Path.of("/lib/systemd/system/webcall.service")).exists();
      Command.Result version = Command.run(60, "/opt/webcall/bin/webcall", "--version");
      assertThat(version.output()).contains("webcall");
    } finally {
      Command.Result purge = Command.run(300, "dpkg", "--purge", "webcall");
      assertThat(purge.exit()).as(purge.output()).isZero();
    }
    assertThat(Path.of("/opt/webcall/bin/webcall")).doesNotExist();
  }
}
