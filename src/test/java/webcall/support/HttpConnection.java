package webcall.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.x connection to the server on loopback, requests written by hand: what the server does
 * with the connection itself (keeps it, closes it) is what such tests look at, and no client
 * library hides it.
 */
public final class HttpConnection implements AutoCloseable {
  private static final int MAX_BYTES = 1 << 20;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final int port;

  private HttpConnection(Socket socket, int port) throws IOException {
    this.socket = socket;
    this.port = port;
    socket.setSoTimeout(10_000);
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static HttpConnection open(int port) throws IOException {
    return new HttpConnection(new Socket("127.0.0.1", port), port);
  }

  /** A TLS connection; the handshake is done before this returns. */
  public static HttpConnection open(SSLContext tls, int port) throws IOException {
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
    s.startHandshake();
    return new HttpConnection(s, port);
  }

  public Socket socket() {
    return socket;
  }

  /** A response as read off the wire; header names in lower case. */
  public record Response(String statusLine, Map<String, String> headers, String body) {
    public int status() {
      return Integer.parseInt(statusLine.split(" ")[1]);
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Writes an HTTP/1.1 request with Host and, for a body, Content-Length; extra headers as name,
   * value pairs.
   */
  public void send(String method, String target, String body, String... headers)
      throws IOException {
    write(head("HTTP/1.1", method, target, body, headers));
  }

  /** Writes bytes as they are: for other versions and for two requests at once. */
  public void write(String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** A request as text, ready for {@link #write}. */
  public String head(String version, String method, String target, String body, String... headers) {
    StringBuilder req = new StringBuilder();
    req.append(method).append(' ').append(target).append(' ').append(version).append("\r\n");
    req.append("Host: 127.0.0.1:").append(port).append("\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      req.append("Content-Type: text/plain;charset=UTF-8\r\n");
      req.append("Content-Length: ").append(content.length).append("\r\n");
    }
    return req.append("\r\n").append(body == null ? "" : body).toString();
  }

  public Response exchange(String method, String target, String body, String... headers)
      throws IOException {
    send(method, target, body, headers);
    return read();
  }

  /**
   * Reads one response: a body of Content-Length bytes, or up to the close when there is none.
   * Fails with {@link EOFException} if the server closed the connection before a response began.
   */
  public Response read() throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new EOFException("the server closed the connection before a response");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      headers.put(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = headers.get("content-length");
    if (length != null) {
      int n = Integer.parseInt(length);
      if (n > MAX_BYTES) {
        throw new IOException("response too large: " + n);
      }
      body.write(in.readNBytes(n));
    } else {
      for (int b; body.size() < MAX_BYTES && (b = in.read()) >= 0; ) {
        body.write(b);
      }
    }
    return new Response(statusLine, headers, body.toString(StandardCharsets.UTF_8));
  }

  /**
   * Whether the server closes the connection within this time, with nothing more sent; false when
   * the connection is still open and quiet after it.
   */
  public boolean closedByServerWithin(Duration wait) throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout(Math.toIntExact(wait.toMillis()));
    try {
      int b = in.read();
      if (b >= 0) {
        throw new AssertionError("unexpected byte from the server: " + b);
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(before);
      }
    }
  }

  /** A CRLF-terminated line, or null at the end of the stream before any byte of it. */
  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (line.size() > 16_384) {
        throw new IOException("header line too long");
      }
      line.write(b);
    }
    if (b < 0 && line.size() == 0) {
      return null;
    }
    String s = line.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
