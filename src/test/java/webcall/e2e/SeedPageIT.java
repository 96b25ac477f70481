package webcall.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.socket.engineio.client.transports.WebSocket;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import webcall.TestServer;
import webcall.config.ServerConfig;
import webcall.http.Responses;
import webcall.server.WebcallServer;
import webcall.support.RoomClient;

/**
 * The original Node demo's page (../shared/reference-node/public: room.html, script.js), unchanged,
 * against webcall: with --allow-legacy-join two of them get each other's video; without it their
 * join is refused. The seed's files are read from ../shared at test time and served by a test-only
 * handler on webcall's own origin (production serves none of them); webcall itself serves
 * /socket.io/socket.io.js and /vendor/peerjs.min.js. Without ../shared the test is skipped, except
 * under CI=true, where it fails.
 */
class SeedPageIT {
  private static final Path SEED = Path.of("..", "shared", "reference-node", "public");
  private static WebcallServer legacy;
  private static WebcallServer strict;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    if (!Files.isRegularFile(SEED.resolve("script.js"))) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("the seed's page is missing at " + SEED.toAbsolutePath());
      }
      assumeTrue(
          false, "the seed's page is not at " + SEED.toAbsolutePath() + " (outside CI): skipped");
    }
    SeedPages pages =
        new SeedPages(
            Files.readAllBytes(SEED.resolve("room.html")),
            Files.readAllBytes(SEED.resolve("script.js")));
    WebcallServer.TestHooks seedPages = new WebcallServer.TestHooks(Map.of(), Map.of(), pages);
    legacy =
        TestServer.of(ServerConfig.forLoopback().withAllowLegacyJoin(true))
            .with(seedPages)
            .start()
            .server();
    strict = TestServer.of(ServerConfig.forLoopback()).with(seedPages).start().server();
  }

  @AfterAll
  static void stop() {
    if (legacy != null) {
      legacy.close();
    }
    if (strict != null) {
      strict.close();
    }
  }

  @AfterEach
  void closeBrowsers() {
    browsers.forEach(Browser::close);
    browsers.clear();
  }

  /**
   * The seed's room.html for /seed-*, its script.js, and the config.js its Express server makes;
   * nothing else.
   */
  @ChannelHandler.Sharable
  static final class SeedPages extends ChannelInboundHandlerAdapter {
    private final byte[] page;
    private final byte[] script;

    SeedPages(byte[] page, byte[] script) {
      this.page = page;
      this.script = script;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof FullHttpRequest req) || !HttpMethod.GET.equals(req.method())) {
        ctx.fireChannelRead(msg);
        return;
      }
      String path = new QueryStringDecoder(req.uri()).path();
      byte[] body;
      String type;
      if (path.startsWith("/seed-")) {
        body = page;
        type = Responses.HTML;
      } else if (path.equals("/script.js")) {
        body = script;
        type = "text/javascript; charset=utf-8";
      } else if (path.equals("/config.js")) {
        body = "window.PEER_PORT = null;".getBytes(StandardCharsets.UTF_8);
        type = "text/javascript; charset=utf-8";
      } else {
        ctx.fireChannelRead(msg);
        return;
      }
      try {
        Responses.send(ctx, req, Responses.of(HttpResponseStatus.OK, type, body));
      } finally {
        ReferenceCountUtil.release(req);
      }
    }
  }

  private Browser open(WebcallServer server, String room) {
    Browser b = Browser.launch();
    browsers.add(b);
    b.open("http://127.0.0.1:" + server.address().getPort() + "/" + room);
    return b;
  }

  /** The seed page's remote videos (its own is the muted one): size and play position. */
  private static List<Map<String, Object>> remoteVideos(Browser b) {
    return b.js(
        "return [...document.querySelectorAll('#video-grid video')].filter(v => !v.muted)"
            + ".map(v => ({ width: v.videoWidth, time: v.currentTime }));");
  }

  private static void awaitPlaying(Browser b) {
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              List<Map<String, Object>> videos = remoteVideos(b);
              assertThat(videos).hasSize(1);
              assertThat(((Number) videos.get(0).get("width")).intValue()).isPositive();
            });
    double before = ((Number) remoteVideos(b).get(0).get("time")).doubleValue();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () ->
                assertThat(((Number) remoteVideos(b).get(0).get("time")).doubleValue())
                    .isGreaterThan(before));
  }

  @Test
  void webcallServesTheSocketIoClientWhereTheReferenceServerDoes() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String name : List.of("socket.io.js", "socket.io.min.js")) {
      HttpResponse<String> res =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:" + strict.address().getPort() + "/socket.io/" + name))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.headers().firstValue("content-type").orElse("")).contains("javascript");
      assertThat(res.body()).contains("Socket.IO");
    }
  }

  @Test
  void twoSeedPagesGetVideoBothWaysWithTheLegacyJoin() {
    String room = "seed-" + UUID.randomUUID();
    Browser a = open(legacy, room);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> a.<Boolean>js("return typeof peer !== 'undefined' && !!peer.open;"));
    Browser b = open(legacy, room);
    awaitPlaying(a);
    awaitPlaying(b);
  }

  @Test
  void withoutTheFlagTheSeedsJoinIsRefused() throws Exception {
    String room = "seed-" + UUID.randomUUID();
    Browser a = open(strict, room);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> a.<Boolean>js("return typeof peer !== 'undefined' && !!peer.open;"));
    Browser b = open(strict, room);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> b.<Boolean>js("return typeof peer !== 'undefined' && !!peer.open;"));
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(8))
        .until(() -> remoteVideos(a).isEmpty() && remoteVideos(b).isEmpty());
    assertThat(strict.rooms().size(room)).isZero();

    try (RoomClient raw = new RoomClient(strict.address().getPort(), "seedRaw", WebSocket.NAME);
        RoomClient rawLegacy =
            new RoomClient(legacy.address().getPort(), "seedRawLegacy", WebSocket.NAME)) {
      assertThat(raw.join(room, raw.peerId, null).error())
          .as("no token, no flag")
          .isEqualTo("bad-user");
      assertThat(rawLegacy.join(room, "notConnected", null).error())
          .as("the flag trusts only ids connected to this PeerJS server")
          .isEqualTo("bad-user");
      assertThat(rawLegacy.join(room, rawLegacy.peerId, "wrongToken").error())
          .as("a token given is still checked")
          .isEqualTo("bad-user");
      assertThat(rawLegacy.join(room, rawLegacy.peerId, null).ok()).isTrue();
    }
  }
}
