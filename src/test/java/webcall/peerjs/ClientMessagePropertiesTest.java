package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static webcall.support.Generated.anyChars;
import static webcall.support.Generated.ascii;
import static webcall.support.Generated.between;
import static webcall.support.Generated.bytes;
import static webcall.support.Generated.constant;
import static webcall.support.Generated.forAll;
import static webcall.support.Generated.joined;
import static webcall.support.Generated.oneOf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import webcall.support.Generated.Gen;

/**
 * Reading PeerJS frames on generated input. The defined rejection of {@link ClientMessage#read} is
 * an {@link IOException} (malformed JSON; a {@code StreamConstraintsException} for too deep or too
 * long), or null for JSON that is not an object; nothing else may escape, whatever a client sends.
 * A well-formed message is relayed with the same payload value and no other field.
 */
class ClientMessagePropertiesTest {
  /** As PeerJsEndpoint builds it. */
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(100_000).build())
          .build();

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Reads, or rejects the defined way; anything else thrown fails the property. */
  private static void readOrReject(byte[] frame) {
    try {
      ClientMessage.read(FACTORY, frame);
    } catch (IOException e) {
      // the defined rejection
    }
  }

  private static String utf8(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  private static String quote(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Valid JSON values, up to {@code depth} levels of arrays and objects. */
  static String json(Random r, int depth) {
    int pick = r.nextInt(depth > 0 ? 6 : 4);
    switch (pick) {
      case 0:
        return constant("null", "true", "false", "0", "-1.5e3", "\"\"", "1E+2").next(r);
      case 1:
        return String.valueOf(r.nextLong());
      case 2:
        return quote(anyChars(12).next(r));
      case 3:
        return quote(ascii(12).next(r));
      case 4:
        {
          StringBuilder b = new StringBuilder("[");
          for (int i = r.nextInt(4); i > 0; i--) {
            b.append(json(r, depth - 1)).append(i > 1 ? "," : "");
          }
          return b.append(']').toString();
        }
      default:
        {
          StringBuilder b = new StringBuilder("{");
          for (int i = r.nextInt(4); i > 0; i--) {
            b.append(quote(ascii(6).next(r)))
                .append(':')
                .append(json(r, depth - 1))
                .append(i > 1 ? "," : "");
          }
          return b.append('}').toString();
        }
    }
  }

  static final Gen<String> JSON = r -> json(r, 4);

  static final Gen<String> WRAPPED =
      r -> "{\"type\":\"OFFER\",\"dst\":\"x\",\"payload\":" + json(r, 4) + "}";

  /** Anything: JSON's pieces shuffled, deep nesting, cut or padded messages, arbitrary text. */
  static final Gen<String> FRAMES =
      oneOf(
          joined(
              30,
              "{",
              "}",
              "[",
              "]",
              ",",
              ":",
              "\"",
              "\\",
              "\"type\"",
              "\"dst\"",
              "\"payload\"",
              "\"OFFER\"",
              "null",
              "0",
              "1e999",
              "-",
              "\u0000",
              "\uD800",
              " ",
              "true",
              "\"\\u0000\"",
              "\"\\ud800\"",
              "/*",
              "'"),
          between(1, 60).map(n -> "[".repeat(n) + "]".repeat(n)),
          between(1, 60).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n)),
          WRAPPED,
          JSON,
          anyChars(60),
          WRAPPED.map(w -> w.substring(0, w.length() / 2)),
          r -> WRAPPED.next(r) + constant("x", "}", " {}", "\u0000", "\"").next(r));

  @Test
  void anyTextIsReadOrRejectedTheDefinedWay() {
    forAll(FRAMES, frame -> readOrReject(frame.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void anyBytesAreReadOrRejectedTheDefinedWay() {
    forAll(bytes(300), ClientMessagePropertiesTest::readOrReject);
  }

  record Relay(String payload, String extra, String dst, String src) {}

  @Test
  void aMessageIsRelayedWithItsPayloadUnchangedAndOnlyItsFields() {
    Gen<String> dst = oneOf(ascii(20), anyChars(20));
    // src is the sender's registered id, so it follows the id rule.
    Gen<String> src = joined(8, "a", "Z", "0", "9", "-", "_", " ").map(s -> "p" + s.strip() + "1");
    forAll(
        r -> new Relay(JSON.next(r), JSON.next(r), dst.next(r), src.next(r)),
        c -> {
          String frame =
              "{\"type\":\"OFFER\",\"extra\":"
                  + c.extra()
                  + ",\"dst\":"
                  + quote(c.dst())
                  + ",\"payload\":"
                  + c.payload()
                  + "}";
          ClientMessage msg = ClientMessage.read(FACTORY, frame.getBytes(StandardCharsets.UTF_8));
          assertThat(msg.type).isEqualTo("OFFER");
          if (c.dst().isEmpty()) {
            assertThat(msg.dst).isEqualTo(ClientMessage.Dst.FALSY);
            return;
          }
          assertThat(msg.dst).isEqualTo(ClientMessage.Dst.ID);
          JsonNode relayed = MAPPER.readTree(msg.relayed(MessageType.OFFER, c.src()));
          assertThat(relayed.size()).isEqualTo(4);
          assertThat(relayed.get("type").asText()).isEqualTo("OFFER");
          assertThat(relayed.get("src").asText()).isEqualTo(c.src());
          // As the frame's UTF-8 bytes carry them: a lone surrogate in the generated text went out
          // as '?'.
          assertThat(relayed.get("dst").asText()).isEqualTo(utf8(c.dst()));
          assertThat(relayed.get("payload")).isEqualTo(MAPPER.readTree(utf8(c.payload())));
        });
  }
}
