package webcall.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hand-rolled WebSocket client over a plain socket, for frames no well-behaved client would send.
 */
public final class RawWs implements AutoCloseable {
  /** One frame from the server. */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  /** Connects, sends the upgrade for {@code pathAndQuery} and reads the 101. */
  public RawWs(int port, String pathAndQuery) throws IOException {
    this(port, pathAndQuery, 0);
  }

  /**
   * As above, with a small TCP receive buffer when {@code receiveBuffer} > 0 (a reader that falls
   * behind).
   */
  public RawWs(int port, String pathAndQuery, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(
          receiveBuffer); // before connecting, so that the window is small from the start
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(10_000);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    String req =
        "GET "
            + pathAndQuery
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key)
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    out.write(req.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = readHead(in);
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new IOException("no upgrade: " + head);
    }
  }

  /** How long a read may wait before it fails with SocketTimeoutException. */
  public void readTimeout(int millis) throws IOException {
    socket.setSoTimeout(Math.max(1, millis));
  }

  /** Reads an HTTP response head up to the blank line. */
  public static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4 && head.size() < 16_384) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("closed in the response head: " + head);
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** Writes one frame: fin flag, rsv bits, opcode, optional mask. */
  public void frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked)
      throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      f.write(maskBit | payload.length);
    } else if (payload.length < 65536) {
      f.write(maskBit | 126);
      f.write(payload.length >> 8);
      f.write(payload.length);
    } else {
      f.write(maskBit | 127);
      long n = payload.length;
      for (int i = 7; i >= 0; i--) {
        f.write((int) (n >> (8 * i)));
      }
    }
    byte[] data = payload.clone();
    if (masked) {
      byte[] mask = new byte[4];
      ThreadLocalRandom.current().nextBytes(mask);
      f.write(mask);
      for (int i = 0; i < data.length; i++) {
        data[i] ^= mask[i % 4];
      }
    }
    f.write(data);
    out.write(f.toByteArray());
    out.flush();
  }

  public void text(String s) throws IOException {
    frame(true, 0, 1, s.getBytes(StandardCharsets.UTF_8), true);
  }

  /** Writes raw bytes, e.g. a frame header that declares a huge length and no body. */
  public void raw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** The next frame from the server (servers never mask). */
  public Frame read() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload);
  }

  /**
   * Reads frames until a close frame and returns its code; -1 if the connection ends without one.
   */
  public int closeCode() throws IOException {
    for (int i = 0; i < 1000; i++) {
      Frame f;
      try {
        f = read();
      } catch (EOFException | SocketTimeoutException e) {
        return -1;
      }
      if (f.opcode() == 8) {
        return f.closeCode();
      }
    }
    return -1;
  }

  /**
   * Whether the server has closed the TCP connection: reads (and drops) whatever is still buffered,
   * up to 64 MiB, and sees the end of the stream with no 10 s pause.
   */
  public boolean endsWithin() throws IOException {
    byte[] buf = new byte[64 * 1024];
    try {
      for (int i = 0; i < 1024; i++) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
