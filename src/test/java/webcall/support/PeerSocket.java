package webcall.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The tests' one WebSocket client (a real RFC 6455 client, java.net.http), mostly for PeerJS:
 * records every text message and the close code. ({@link RawWs} is the other one, for bytes no real
 * client would send.)
 */
public final class PeerSocket implements WebSocket.Listener, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Shared by the sockets that need no client of their own: one client, one selector thread. */
  public static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket ws;

  private PeerSocket() {}

  /**
   * Opens {@code uri} (e.g. {@code ws://127.0.0.1:port{path}?query}), with extra headers (name,
   * value, ...).
   */
  public static PeerSocket open(URI uri, String... headerNamesAndValues) {
    return open(uri, HTTP, headerNamesAndValues);
  }

  /**
   * Opens {@code uri} with this client (e.g. one that trusts a test certificate, for wss) and extra
   * headers.
   */
  public static PeerSocket open(URI uri, HttpClient client, String... headerNamesAndValues) {
    PeerSocket s = new PeerSocket();
    WebSocket.Builder builder = client.newWebSocketBuilder();
    for (int i = 0; i + 1 < headerNamesAndValues.length; i += 2) {
      builder.header(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
    }
    s.ws = builder.connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, s).join();
    return s;
  }

  /**
   * Opens a PeerJS socket for {@code id} with {@code token} and key "peerjs" on the default
   * embedded path.
   */
  public static PeerSocket connect(int port, String id, String token) {
    return open(
        URI.create(
            "ws://127.0.0.1:"
                + port
                + "/peerjs/peerjs?key=peerjs&id="
                + id
                + "&token="
                + token
                + "&version=1.5.5"));
  }

  public void send(String text) {
    ws.sendText(text, true).join();
  }

  public void sendBinary(byte[] bytes) {
    ws.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).join();
  }

  /** The next frame as JSON, waiting up to {@code seconds}; fails if none arrives. */
  public JsonNode next(double seconds) {
    String text = nextText(seconds);
    if (text == null) {
      throw new AssertionError("no frame within " + seconds + " s");
    }
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  public JsonNode next() {
    return next(5);
  }

  /**
   * The next frame's raw text, waiting up to 10 s (generous: the machine is shared); fails if none
   * arrives.
   */
  public String text() {
    String text = nextText(10);
    if (text == null) {
      throw new AssertionError("no frame within 10 s");
    }
    return text;
  }

  /** The next frame's raw text, or null if none arrives in time. */
  public String nextText(double seconds) {
    try {
      return frames.poll((long) (seconds * 1000), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The close code the server sent, waiting up to 10 s. */
  public int closeCode() {
    return closeCode(10);
  }

  /** The close code the server sent, waiting up to {@code seconds}. */
  public int closeCode(double seconds) {
    try {
      return closed.get((long) (seconds * 1000), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + seconds + " s", e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(-1);
  }

  /** Says goodbye (1000) if it still may, and drops the connection. */
  @Override
  public void close() {
    if (!closed.isDone()) {
      if (!ws.isOutputClosed()) {
        ws.sendClose(1000, "").exceptionally(e -> null);
      }
      ws.abort();
    }
  }
}
