package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import webcall.peerjs.PeerJsTarget.Mode;
import webcall.support.HttpConnection;

/**
 * A request whose body length is ambiguous (RFC 9112 §6) is answered 400 (501 for an unknown
 * coding) and its connection closed: the request pipelined after it is never served, as a proxy in
 * front may have framed it differently. Raw sockets, on both pipelines (the call server's and
 * {@code webcall peerjs}).
 */
class RequestFramingIT {
  private static PeerJsTarget standalone;
  private static PeerJsTarget embedded;

  @BeforeAll
  static void start() {
    standalone = Mode.STANDALONE.start(PeerJsOptions.defaults("/myapp"));
    embedded = Mode.EMBEDDED.start(PeerJsOptions.defaults("/myapp"));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    standalone.close();
    embedded.close();
    PeerJsTarget.awaitClosed();
  }

  private static final String NEXT = "GET /myapp/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  static java.util.stream.Stream<Arguments> cases() {
    String get = "GET /myapp/ HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    return java.util.stream.Stream.of(
        // Content-Length says 5 (the "0\r\n\r\n"), chunked says empty: the two readings disagree on
        // where NEXT starts.
        Arguments.of(
            "Content-Length and chunked",
            get + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + "0\r\n\r\n",
            400),
        Arguments.of(
            "chunked and Content-Length",
            get + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n" + "0\r\n\r\n",
            400),
        Arguments.of(
            "duplicate Content-Length",
            get + "Content-Length: 0\r\nContent-Length: 0\r\n\r\n",
            400),
        Arguments.of(
            "conflicting Content-Length",
            get + "Content-Length: 0\r\nContent-Length: 5\r\n\r\n",
            400),
        Arguments.of("Content-Length list", get + "Content-Length: 0, 0\r\n\r\n", 400),
        Arguments.of("signed Content-Length", get + "Content-Length: +0\r\n\r\n", 400),
        Arguments.of(
            "bad chunk size",
            get + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            400),
        Arguments.of(
            "chunk size overflow",
            get + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\n",
            400),
        Arguments.of(
            "chunked not last", get + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400),
        Arguments.of(
            "chunked twice",
            get + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + "0\r\n\r\n",
            400),
        Arguments.of("only identity", get + "Transfer-Encoding: identity\r\n\r\n", 400),
        Arguments.of(
            "HTTP/1.0 with chunked",
            "GET /myapp/ HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400),
        Arguments.of(
            "unknown coding before chunked",
            get + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            501));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusedAndClosedOnTheCallServer(String name, String request, int status) throws Exception {
    refusedAndClosed(embedded, request, status);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusedAndClosedOnTheStandaloneServer(String name, String request, int status)
      throws Exception {
    refusedAndClosed(standalone, request, status);
  }

  private static void refusedAndClosed(PeerJsTarget server, String request, int status)
      throws Exception {
    try (HttpConnection c = HttpConnection.open(server.port())) {
      c.write(request + NEXT);
      HttpConnection.Response res = c.read();
      assertThat(res.status()).isEqualTo(status);
      assertThat(res.header("connection")).isEqualToIgnoringCase("close");
      // Nothing more: the pipelined request is not answered, and the connection ends.
      assertThat(c.closedByServerWithin(Duration.ofSeconds(3))).isTrue();
    }
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(Mode.class)
  void wellFramedRequestsStillWork(Mode mode) throws Exception {
    PeerJsTarget server = mode == Mode.STANDALONE ? standalone : embedded;
    try (HttpConnection c = HttpConnection.open(server.port())) {
      String get = "GET /myapp/ HTTP/1.1\r\nHost: 127.0.0.1\r\n";
      c.write(get + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(200);
      c.write(get + "Transfer-Encoding: Chunked\r\n\r\n0\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(200);
      c.write(get + "Content-Length: 2\r\n\r\nhi");
      assertThat(c.read().status()).isEqualTo(200);
      c.write(NEXT);
      assertThat(c.read().status()).isEqualTo(200);
    }
  }
}
