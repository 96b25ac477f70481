package webcall.peerjs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * What the server reads of a client's frame: its type, its dst, and where its payload lies. Read in
 * one pass of Jackson's streaming parser over the frame's bytes, without building a tree: the
 * payload is checked (syntax, nesting, string length) and then passed on as the client wrote it, so
 * relaying costs one parse and one copy. A client sees the same JSON value as from the reference,
 * which re-serialises it; only insignificant whitespace and escapes may differ.
 *
 * <p>Like JavaScript's JSON.parse: a repeated key counts with its last value, and anything after
 * the top-level value makes the frame malformed.
 */
final class ClientMessage {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final byte[] SRC = bytes(",\"src\":\"");
  private static final byte[] DST = bytes("\",\"dst\":\"");
  private static final byte[] PAYLOAD = bytes("\",\"payload\":");
  private static final byte[][] TYPE_FIELD = new byte[MessageType.values().length][];

  static {
    for (MessageType t : MessageType.values()) {
      TYPE_FIELD[t.ordinal()] = bytes("{\"type\":\"" + t.wireName() + "\"");
    }
  }

  /** The dst field as JavaScript's truthiness sees it (the reference tests {@code if (!dst)}). */
  enum Dst {
    /** Missing, null, "", 0 or false. */
    FALSY,
    /** A non-empty string. */
    ID,
    /** Anything else truthy (a number, true, an object): it names no one. */
    OTHER
  }

  final String type;
  final Dst dst;
  final String dstId;
  private final byte[] frame;
  private final int payloadStart;
  private final int payloadEnd;

  private ClientMessage(
      String type, Dst dst, String dstId, byte[] frame, int payloadStart, int payloadEnd) {
    this.type = type;
    this.dst = dst;
    this.dstId = dstId;
    this.frame = frame;
    this.payloadStart = payloadStart;
    this.payloadEnd = payloadEnd;
  }

  /**
   * Reads a frame's UTF-8 bytes. Returns null for valid JSON that is not an object.
   *
   * @throws com.fasterxml.jackson.core.exc.StreamConstraintsException nested too deeply, or too
   *     long a string or number
   * @throws IOException malformed JSON
   */
  static ClientMessage read(JsonFactory factory, byte[] frame) throws IOException {
    try (JsonParser p = factory.createParser(frame)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        checkValue(p);
        expectEnd(p);
        return null;
      }
      String type = null;
      Dst dst = Dst.FALSY;
      String dstId = null;
      int payloadStart = -1;
      int payloadEnd = -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "type" -> {
            checkValue(
                p); // a type that is an object or array is read past like any other value, not into
            type = value == JsonToken.VALUE_STRING ? p.getText() : null;
          }
          case "dst" -> {
            dst = dstOf(p, value);
            dstId = dst == Dst.ID ? p.getText() : null;
          }
          case "payload" -> {
            payloadStart = (int) p.currentTokenLocation().getByteOffset();
            checkValue(p);
            payloadEnd = (int) p.currentLocation().getByteOffset();
          }
          default -> checkValue(p);
        }
      }
      expectEnd(p);
      return new ClientMessage(type, dst, dstId, frame, payloadStart, payloadEnd);
    }
  }

  private static Dst dstOf(JsonParser p, JsonToken value) throws IOException {
    return switch (value) {
      case VALUE_STRING -> p.getTextLength() == 0 ? Dst.FALSY : Dst.ID;
      case VALUE_NULL, VALUE_FALSE -> Dst.FALSY;
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue() == 0 ? Dst.FALSY : Dst.OTHER;
      default -> {
        checkValue(p);
        yield Dst.OTHER;
      }
    };
  }

  /**
   * Reads to the end of the value at the parser and checks every string's length, which the parser
   * itself checks only when a string is asked for as a {@code String}. Leaves the parser at the
   * value's last token.
   */
  private static void checkValue(JsonParser p) throws IOException {
    int depth = 0;
    JsonToken t = p.currentToken();
    while (true) {
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        depth++;
      } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
        depth--;
      } else if (t == JsonToken.VALUE_STRING) {
        int max = p.streamReadConstraints().getMaxStringLength();
        if (p.getTextLength() > max) {
          throw new StreamConstraintsException("a string longer than " + max + " characters");
        }
      }
      if (depth == 0) {
        return;
      }
      t = p.nextToken();
      if (t == null) {
        throw new JsonParseException(p, "unexpected end of input");
      }
    }
  }

  private static void expectEnd(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new JsonParseException(p, "content after the JSON value");
    }
  }

  /**
   * {@code {"type":..,"src":..,"dst":..[,"payload":..]}}: src set by the server, every other field
   * dropped.
   */
  byte[] relayed(MessageType type, String src) {
    byte[] typeName = TYPE_FIELD[type.ordinal()];
    byte[] srcText = JsonStringEncoder.getInstance().quoteAsUTF8(src);
    byte[] dstText = JsonStringEncoder.getInstance().quoteAsUTF8(dstId);
    boolean hasPayload = payloadStart >= 0;
    int payloadLength = hasPayload ? payloadEnd - payloadStart : 0;
    int length =
        typeName.length
            + SRC.length
            + srcText.length
            + DST.length
            + dstText.length
            + (hasPayload ? PAYLOAD.length + payloadLength : 1)
            + 1;
    ByteBuffer out = ByteBuffer.allocate(length);
    out.put(typeName).put(SRC).put(srcText).put(DST).put(dstText);
    if (hasPayload) {
      out.put(PAYLOAD).put(frame, payloadStart, payloadLength);
    } else {
      out.put((byte) '"');
    }
    out.put((byte) '}');
    return out.array();
  }

  /**
   * Strict UTF-8 (no overlong forms, no surrogates), as RFC 6455 asks of text frames; ASCII is
   * checked 8 bytes a step.
   */
  static boolean isUtf8(byte[] b) {
    int i = 0;
    while (i + Long.BYTES <= b.length && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
      i += Long.BYTES;
    }
    while (i < b.length && b[i] >= 0) {
      i++;
    }
    if (i == b.length) {
      return true;
    }
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b, i, b.length - i));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
