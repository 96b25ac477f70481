package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;
import webcall.support.PeerSocket;

/** The PeerJS protocol of the embedded server, over a real WebSocket client. */
class PeerJsProtocolIT {
  @RegisterExtension
  static final TestServer server =
      new TestServer(
          c ->
              c.withPeerJs(
                  new PeerJsOptions(
                      "peerjs",
                      "/peerjs",
                      Duration.ofMillis(600),
                      Duration.ofSeconds(60),
                      Duration.ofMillis(100),
                      5000,
                      false,
                      PeerJsOptions.Limits.DEFAULT)));

  @Test
  void idEndpointGivesAFreshUuidWithNoTrailingNewline() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest req =
        HttpRequest.newBuilder(server.http("/peerjs/peerjs/id?ts=1&version=1.5.5")).build();
    String a = http.send(req, HttpResponse.BodyHandlers.ofString()).body();
    String b = http.send(req, HttpResponse.BodyHandlers.ofString()).body();
    assertThat(a).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(b).isNotEqualTo(a);
  }

  @Test
  void openThenRelayWithTheServerSettingSrc() {
    try (PeerSocket alice = PeerSocket.connect(server.port(), "alice", "tokA");
        PeerSocket bob = PeerSocket.connect(server.port(), "bob", "tokB")) {
      assertThat(alice.nextText(5)).isEqualTo("{\"type\":\"OPEN\"}");
      assertThat(bob.nextText(5)).isEqualTo("{\"type\":\"OPEN\"}");

      alice.send(
          "{\"type\":\"OFFER\",\"src\":\"mallory\",\"dst\":\"bob\",\"extra\":1,"
              + "\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\"},\"type\":\"media\",\"connectionId\":\"mc_1\"}}");
      JsonNode offer = bob.next();
      assertThat(offer.get("type").asText()).isEqualTo("OFFER");
      assertThat(offer.get("src").asText()).isEqualTo("alice");
      assertThat(offer.get("dst").asText()).isEqualTo("bob");
      assertThat(offer.has("extra")).isFalse();
      assertThat(offer.at("/payload/connectionId").asText()).isEqualTo("mc_1");

      bob.send("{\"type\":\"ANSWER\",\"dst\":\"alice\",\"payload\":{\"connectionId\":\"mc_1\"}}");
      assertThat(alice.next().get("src").asText()).isEqualTo("bob");
      bob.send("{\"type\":\"CANDIDATE\",\"dst\":\"alice\",\"payload\":{\"candidate\":{}}}");
      assertThat(alice.next().get("type").asText()).isEqualTo("CANDIDATE");
      assertThat(bob.nextText(0.3)).as("the sender gets nothing back").isNull();
    }
  }

  @Test
  void heartbeatsAndClientSentServerTypesAreNotRelayed() {
    try (PeerSocket a = PeerSocket.connect(server.port(), "hbA", "t1");
        PeerSocket b = PeerSocket.connect(server.port(), "hbB", "t2")) {
      a.next();
      b.next();
      a.send("{\"type\":\"HEARTBEAT\",\"dst\":\"hbB\"}");
      a.send("{\"type\":\"EXPIRE\",\"dst\":\"hbB\"}");
      a.send("{\"type\":\"OPEN\",\"dst\":\"hbB\"}");
      a.send("{\"type\":\"ID-TAKEN\",\"dst\":\"hbB\"}");
      a.send("{\"type\":\"offer\",\"dst\":\"hbB\"}");
      a.send("not json at all");
      a.send("null");
      a.send("[1,2]");
      a.send("{\"type\":\"OFFER\",\"dst\":\"hbB\",\"payload\":7}");
      JsonNode only = b.next();
      assertThat(only.get("type").asText()).isEqualTo("OFFER");
      assertThat(only.get("payload").asInt()).isEqualTo(7);
      assertThat(b.nextText(0.3)).isNull();
      assertThat(a.isClosed()).as("malformed frames do not close the socket").isFalse();
    }
  }

  @Test
  void messagesForAnAbsentPeerWaitThenExpireBackToTheSenderOnce() {
    try (PeerSocket a = PeerSocket.connect(server.port(), "qA", "t1")) {
      a.next();
      a.send("{\"type\":\"OFFER\",\"dst\":\"qLate\",\"payload\":{\"n\":1}}");
      a.send("{\"type\":\"CANDIDATE\",\"dst\":\"qLate\",\"payload\":{\"n\":2}}");
      // Delivered in order, after OPEN, when the peer connects within expire_timeout.
      try (PeerSocket late = PeerSocket.connect(server.port(), "qLate", "t2")) {
        assertThat(late.nextText(5)).isEqualTo("{\"type\":\"OPEN\"}");
        assertThat(late.next().at("/payload/n").asInt()).isEqualTo(1);
        assertThat(late.next().at("/payload/n").asInt()).isEqualTo(2);
      }
      a.send("{\"type\":\"OFFER\",\"dst\":\"nobody\",\"payload\":{}}");
      a.send("{\"type\":\"CANDIDATE\",\"dst\":\"nobody\",\"payload\":{}}");
      JsonNode expire = a.next(5);
      assertThat(expire.toString())
          .isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"nobody\",\"dst\":\"qA\"}");
      assertThat(a.nextText(1.0)).as("one EXPIRE per sender").isNull();
      assertThat(server.server().realm().queuedMessages()).isZero();
      assertThat(server.server().realm().queuedSenders()).isZero();
    }
  }

  @Test
  void anIdHeldWithAnotherTokenIsTaken() {
    try (PeerSocket holder = PeerSocket.connect(server.port(), "taken", "first")) {
      holder.next();
      try (PeerSocket other = PeerSocket.connect(server.port(), "taken", "second")) {
        assertThat(other.nextText(5))
            .isEqualTo("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");
        assertThat(other.closeCode(5)).isEqualTo(1008);
      }
      // The holder is unaffected and still receives.
      try (PeerSocket c = PeerSocket.connect(server.port(), "takenC", "t")) {
        c.next();
        c.send("{\"type\":\"OFFER\",\"dst\":\"taken\",\"payload\":{}}");
        assertThat(holder.next().get("src").asText()).isEqualTo("takenC");
      }
    }
  }

  @Test
  void theSameTokenTakesOverClosingTheOldSocket() {
    try (PeerSocket first = PeerSocket.connect(server.port(), "mover", "same");
        PeerSocket sender = PeerSocket.connect(server.port(), "moverPal", "t")) {
      first.next();
      sender.next();
      try (PeerSocket second = PeerSocket.connect(server.port(), "mover", "same")) {
        assertThat(second.nextText(5)).isEqualTo("{\"type\":\"OPEN\"}");
        assertThat(first.closeCode(5)).isEqualTo(1000);
        sender.send("{\"type\":\"OFFER\",\"dst\":\"mover\",\"payload\":{}}");
        assertThat(second.next().get("src").asText()).isEqualTo("moverPal");
      }
    }
  }

  @Test
  void aWrongKeyGetsTheReferenceErrorThenClose() {
    try (PeerSocket s =
        PeerSocket.open(server.ws("/peerjs/peerjs?key=nope&id=k1&token=t&version=1.5.5"))) {
      assertThat(s.nextText(5))
          .isEqualTo("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Invalid key provided\"}}");
      assertThat(s.closeCode(5)).isEqualTo(1008);
    }
    assertThat(server.server().realm().get("k1")).isNull();
  }

  @Test
  void missingParametersAndBadIdsAreRefused() {
    try (PeerSocket s = PeerSocket.open(server.ws("/peerjs/peerjs?key=peerjs&id=x"))) {
      assertThat(s.nextText(5))
          .isEqualTo(
              "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"No id, token, or key supplied to websocket server\"}}");
      assertThat(s.closeCode(5)).isEqualTo(1008);
    }
    try (PeerSocket s =
        PeerSocket.open(server.ws("/peerjs/peerjs?key=peerjs&id=%3Cscript%3E&token=t"))) {
      assertThat(s.next().at("/payload/msg").asText()).isEqualTo("Invalid id provided");
      assertThat(s.closeCode(5)).isEqualTo(1008);
    }
  }
}
