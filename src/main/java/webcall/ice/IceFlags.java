package webcall.ice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** The command-line flags for {@link IceOptions}; a picocli mixin of {@code webcall.Main}. */
public final class IceFlags {
  private static final Logger log = LoggerFactory.getLogger(IceFlags.class);

  @Option(
      names = "--stun-port",
      defaultValue = "${env:WEBCALL_STUN_PORT:-3478}",
      description =
          "UDP port of the built-in STUN responder; 0 for any free port, -1 for none (WEBCALL_STUN_PORT)."
              + " Default: ${DEFAULT-VALUE}")
  int stunPort;

  @Option(
      names = "--no-stun",
      defaultValue = "${env:WEBCALL_NO_STUN:-false}",
      description = "Run no STUN responder, same as --stun-port -1 (WEBCALL_NO_STUN).")
  boolean noStun;

  @Option(
      names = "--stun-url",
      split = ",",
      defaultValue = "${env:WEBCALL_STUN_URLS:-}",
      description =
          "Extra STUN servers for the page, e.g. stun:stun.example.org:3478; comma-separated or repeated"
              + " (WEBCALL_STUN_URLS).")
  List<String> stunUrls = new ArrayList<>();

  @Option(
      names = "--turn-url",
      split = ",",
      defaultValue = "${env:WEBCALL_TURN_URLS:-}",
      description =
          "TURN servers sharing --turn-secret, e.g. turn:turn.example.org:3478?transport=udp;"
              + " comma-separated or repeated (WEBCALL_TURN_URLS).")
  List<String> turnUrls = new ArrayList<>();

  // No ${DEFAULT-VALUE} here on purpose: --help must never print a secret taken from the
  // environment.
  @Option(
      names = "--turn-secret",
      split = ",",
      defaultValue = "${env:WEBCALL_TURN_SECRETS:-}",
      description =
          "coturn static-auth-secret(s); the first signs, the others are accepted during a rotation"
              + " (WEBCALL_TURN_SECRETS). Prefer the variable or --turn-secret-file: arguments show in ps.")
  List<String> turnSecrets = new ArrayList<>();

  @Option(
      names = "--turn-secret-file",
      defaultValue = "${env:WEBCALL_TURN_SECRET_FILE:-}",
      description =
          "File with one TURN secret per line, the signing one first (WEBCALL_TURN_SECRET_FILE).")
  String turnSecretFile;

  @Option(
      names = "--turn-credential-lifetime",
      defaultValue = "${env:WEBCALL_TURN_CREDENTIAL_LIFETIME:-3600}",
      description =
          "Seconds a TURN credential stays valid, clamped to 60..86400"
              + " (WEBCALL_TURN_CREDENTIAL_LIFETIME). Default: ${DEFAULT-VALUE}")
  long credentialLifetime;

  @Option(
      names = "--ice-transport-policy",
      defaultValue = "${env:WEBCALL_ICE_TRANSPORT_POLICY:-all}",
      description =
          "all, or relay to send every call through TURN (WEBCALL_ICE_TRANSPORT_POLICY)."
              + " Default: ${DEFAULT-VALUE}")
  String iceTransportPolicy;

  public IceOptions toOptions() {
    List<String> secrets = new ArrayList<>(clean(turnSecrets));
    if (turnSecretFile != null && !turnSecretFile.isBlank()) {
      try {
        secrets.addAll(clean(Files.readAllLines(Path.of(turnSecretFile))));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read --turn-secret-file " + turnSecretFile, e);
      }
    }
    Duration lifetime = Duration.ofSeconds(credentialLifetime);
    if (!IceOptions.clamp(lifetime).equals(lifetime)) {
      log.warn(
          "event=turn-lifetime-clamped asked={}s used={}s",
          credentialLifetime,
          IceOptions.clamp(lifetime).toSeconds());
    }
    IceOptions base = IceOptions.defaults();
    IceOptions options =
        new IceOptions(
            noStun ? IceOptions.STUN_OFF : stunPort,
            clean(stunUrls),
            clean(turnUrls),
            secrets,
            lifetime,
            iceTransportPolicy,
            base.stunRepliesPerSecond(),
            base.apiRequestsPerMinute());
    if (!secrets.isEmpty()) {
      log.info(
          "event=turn-secrets count={} signing=first",
          secrets.size()); // the count only, never a value
    }
    return options;
  }

  private static List<String> clean(List<String> values) {
    return values.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
