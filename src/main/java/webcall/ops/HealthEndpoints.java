package webcall.ops;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import webcall.http.Responses;

/**
 * {@code /healthz} and {@code /readyz}, served alike on the main port and the admin listener.
 * Liveness says only that the process answers HTTP; readiness says whether it should get new calls
 * (a load balancer takes it out while not).
 */
public final class HealthEndpoints {
  public static final String HEALTHZ = "/healthz";
  public static final String READYZ = "/readyz";
  public static final String METRICS = "/metrics";

  private static final byte[] OK = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] READY = "{\"ready\":true}".getBytes(StandardCharsets.US_ASCII);

  private HealthEndpoints() {}

  /** The answer for {@code path} if it is one of the two, else null. */
  public static FullHttpResponse respond(String path, Readiness readiness) {
    FullHttpResponse res;
    if (HEALTHZ.equals(path)) {
      res = Responses.of(HttpResponseStatus.OK, Responses.JSON, OK);
    } else if (READYZ.equals(path)) {
      res =
          readiness.isReady()
              ? Responses.of(HttpResponseStatus.OK, Responses.JSON, READY)
              : Responses.of(
                  HttpResponseStatus.SERVICE_UNAVAILABLE, Responses.JSON, notReady(readiness));
    } else {
      return null;
    }
    res.headers()
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store"); // a cached "ready" would hide a drain
    return res;
  }

  /**
   * {"ready":false,"reason":"starting","reasons":["starting"]}: the first reason, and all of them.
   */
  private static byte[] notReady(Readiness readiness) {
    java.util.List<String> reasons = readiness.reasons();
    if (reasons.isEmpty()) {
      reasons =
          java.util.List.of(
              "unknown"); // cleared between the two reads: say something rather than nothing
    }
    StringBuilder b =
        new StringBuilder("{\"ready\":false,\"reason\":")
            .append(quote(reasons.get(0)))
            .append(",\"reasons\":[");
    for (int i = 0; i < reasons.size(); i++) {
      b.append(i == 0 ? "" : ",").append(quote(reasons.get(i)));
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reasons are the server's own constants; anything but letters, digits, '-', '_' and '.' is
   * dropped anyway.
   */
  private static String quote(String reason) {
    return "\"" + reason.replaceAll("[^A-Za-z0-9_.-]", "") + "\"";
  }
}
