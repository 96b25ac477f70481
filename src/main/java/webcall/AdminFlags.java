package webcall;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import picocli.CommandLine.Option;
import webcall.ops.AdminListener;
import webcall.ops.Metrics;
import webcall.ops.Readiness;

/**
 * {@code --admin-port} and {@code --admin-host}, shared by both commands: where /metrics, /healthz
 * and /readyz go.
 */
final class AdminFlags {
  static final int OFF = -1;

  @Option(
      names = "--admin-port",
      defaultValue = "${env:WEBCALL_ADMIN_PORT:--1}",
      description =
          "Port of the admin listener (/metrics for Prometheus, /healthz, /readyz); 0 for any free port, -1 for none"
              + " (WEBCALL_ADMIN_PORT). Default: ${DEFAULT-VALUE}")
  int port = OFF;

  @Option(
      names = "--admin-host",
      defaultValue = "${env:WEBCALL_ADMIN_HOST:-127.0.0.1}",
      description =
          "Address of the admin listener; keep it private, metrics are for the operator"
              + " (WEBCALL_ADMIN_HOST). Default: ${DEFAULT-VALUE}")
  String host = "127.0.0.1";

  boolean enabled() {
    if (port < OFF || port > 65535) {
      throw new IllegalArgumentException(
          "--admin-port must be -1 (none), 0 (any free port) or 1..65535");
    }
    return port != OFF;
  }

  /**
   * A Prometheus registry when there is an admin listener to read it; otherwise meters that count
   * nothing.
   */
  Metrics metrics() {
    return enabled() ? Metrics.prometheus() : Metrics.disabled();
  }

  /**
   * Starts the admin listener if asked for, and says where on {@code out}; null when there is none.
   */
  AdminListener start(Metrics metrics, Readiness readiness, PrintWriter out) {
    if (!enabled()) {
      return null;
    }
    AdminListener admin = new AdminListener(host, port, metrics, readiness);
    InetSocketAddress bound = admin.start();
    out.println(
        "Admin listener on http://"
            + host
            + ":"
            + bound.getPort()
            + "/metrics (also /healthz, /readyz)");
    out.flush();
    return admin;
  }
}
