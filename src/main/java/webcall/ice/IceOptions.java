package webcall.ice;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The ICE servers browsers are told to use.
 *
 * @param stunPort UDP port of the built-in STUN responder: 0 for any free port, -1 to turn it off
 * @param stunUrls extra STUN servers, e.g. {@code stun:stun.example.org:3478}
 * @param turnUrls TURN servers sharing {@code turnSecrets} with webcall (coturn's use-auth-secret)
 * @param turnSecrets shared secrets; the first signs new credentials, the others are kept while a
 *     rotation runs
 * @param credentialLifetime how long a TURN credential is valid, clamped to [60 s, 86 400 s]
 * @param iceTransportPolicy {@code all}, or {@code relay} to force every call through TURN
 * @param stunRepliesPerSecond STUN replies each source address may get per second
 * @param apiRequestsPerMinute {@code GET /api/ice} requests each client address may make per minute
 */
public record IceOptions(
    int stunPort,
    List<String> stunUrls,
    List<String> turnUrls,
    List<String> turnSecrets,
    Duration credentialLifetime,
    String iceTransportPolicy,
    int stunRepliesPerSecond,
    int apiRequestsPerMinute) {

  public static final Duration MIN_LIFETIME = Duration.ofSeconds(60);
  public static final Duration MAX_LIFETIME = Duration.ofSeconds(86_400);
  public static final int STUN_OFF = -1;

  public IceOptions {
    stunUrls = List.copyOf(stunUrls);
    turnUrls = List.copyOf(turnUrls);
    turnSecrets = List.copyOf(turnSecrets);
    if (stunPort < -1 || stunPort > 65535) {
      throw new IllegalArgumentException("STUN port must be -1 (off) or 0..65535");
    }
    for (String u : stunUrls) {
      if (!u.startsWith("stun:") && !u.startsWith("stuns:")) {
        throw new IllegalArgumentException("STUN URL must start with stun: or stuns:, got " + u);
      }
    }
    for (String u : turnUrls) {
      if (!u.startsWith("turn:") && !u.startsWith("turns:")) {
        throw new IllegalArgumentException("TURN URL must start with turn: or turns:, got " + u);
      }
    }
    if (!turnUrls.isEmpty() && turnSecrets.isEmpty()) {
      // Browsers refuse turn: URLs without a username and credential, so this would only break
      // calls.
      throw new IllegalArgumentException("TURN URLs need a TURN shared secret");
    }
    for (String s : turnSecrets) {
      if (s.isEmpty()) {
        throw new IllegalArgumentException("TURN shared secrets must not be empty");
      }
    }
    credentialLifetime = clamp(credentialLifetime);
    iceTransportPolicy = iceTransportPolicy.toLowerCase(Locale.ROOT);
    if (!iceTransportPolicy.equals("all") && !iceTransportPolicy.equals("relay")) {
      throw new IllegalArgumentException("ICE transport policy must be all or relay");
    }
    if (iceTransportPolicy.equals("relay") && turnUrls.isEmpty()) {
      throw new IllegalArgumentException(
          "ICE transport policy relay needs a TURN server (--turn-url): no call could connect");
    }
    if (stunRepliesPerSecond < 1 || apiRequestsPerMinute < 1) {
      throw new IllegalArgumentException("rates must be at least 1");
    }
  }

  /** Built-in STUN on 3478, no TURN: enough on a LAN and behind most home NATs. */
  public static IceOptions defaults() {
    return new IceOptions(
        3478, List.of(), List.of(), List.of(), Duration.ofHours(1), "all", 20, 60);
  }

  /** For tests: STUN on any free port. */
  public static IceOptions forTests() {
    return defaults().withStunPort(0);
  }

  public static Duration clamp(Duration lifetime) {
    if (lifetime.compareTo(MIN_LIFETIME) < 0) {
      return MIN_LIFETIME;
    }
    return lifetime.compareTo(MAX_LIFETIME) > 0 ? MAX_LIFETIME : lifetime;
  }

  public boolean stunEnabled() {
    return stunPort != STUN_OFF;
  }

  public IceOptions withStunPort(int port) {
    return new IceOptions(
        port,
        stunUrls,
        turnUrls,
        turnSecrets,
        credentialLifetime,
        iceTransportPolicy,
        stunRepliesPerSecond,
        apiRequestsPerMinute);
  }

  public IceOptions withTurn(List<String> urls, List<String> secrets, Duration lifetime) {
    return new IceOptions(
        stunPort,
        stunUrls,
        urls,
        secrets,
        lifetime,
        iceTransportPolicy,
        stunRepliesPerSecond,
        apiRequestsPerMinute);
  }

  public IceOptions withStunUrls(List<String> urls) {
    return new IceOptions(
        stunPort,
        urls,
        turnUrls,
        turnSecrets,
        credentialLifetime,
        iceTransportPolicy,
        stunRepliesPerSecond,
        apiRequestsPerMinute);
  }

  public IceOptions withTransportPolicy(String policy) {
    return new IceOptions(
        stunPort,
        stunUrls,
        turnUrls,
        turnSecrets,
        credentialLifetime,
        policy,
        stunRepliesPerSecond,
        apiRequestsPerMinute);
  }

  public IceOptions withRates(int stunPerSecond, int apiPerMinute) {
    return new IceOptions(
        stunPort,
        stunUrls,
        turnUrls,
        turnSecrets,
        credentialLifetime,
        iceTransportPolicy,
        stunPerSecond,
        apiPerMinute);
  }

  /** Never prints the secrets: a config logged by mistake must not leak them. */
  @Override
  public String toString() {
    return "IceOptions[stunPort="
        + stunPort
        + ", stunUrls="
        + stunUrls
        + ", turnUrls="
        + turnUrls
        + ", turnSecrets="
        + turnSecrets.size()
        + " hidden, credentialLifetime="
        + credentialLifetime
        + ", iceTransportPolicy="
        + iceTransportPolicy
        + "]";
  }
}
