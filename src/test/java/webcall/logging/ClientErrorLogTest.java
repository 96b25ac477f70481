package webcall.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ClientErrorLogTest {
  private final AtomicLong clock = new AtomicLong();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private ClientErrorLog log;

  @BeforeEach
  void setUp() {
    Logger logger = (Logger) LoggerFactory.getLogger("ClientErrorLogTest-" + System.nanoTime());
    logger.setAdditive(false);
    lines.start();
    logger.addAppender(lines);
    log = new ClientErrorLog(logger, 3, 1_000, clock::get);
  }

  private List<String> written() {
    return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void aThousandBadRequestsWriteTheCapAndOneCount() {
    for (int i = 0; i < 1000; i++) {
      log.info("bad-sid", "event=bad-sid n={}", i);
    }
    assertThat(written())
        .containsExactly("event=bad-sid n=0", "event=bad-sid n=1", "event=bad-sid n=2");
    clock.addAndGet(1_000_000_000L);
    log.flush();
    assertThat(written())
        .hasSize(4)
        .last()
        .isEqualTo("event=log-suppressed kind=bad-sid count=997");
    log.flush(); // told once
    assertThat(written()).hasSize(4);
  }

  @Test
  void eachKindHasItsOwnAllowanceAndANewIntervalWritesAgain() {
    for (int i = 0; i < 5; i++) {
      log.info("a", "event=a");
      log.info("b", "event=b");
    }
    assertThat(written()).filteredOn("event=a"::equals).hasSize(3);
    assertThat(written()).filteredOn("event=b"::equals).hasSize(3);
    assertThat(log.pendingSuppressed()).isEqualTo(4);
    clock.addAndGet(1_500_000_000L);
    log.info("a", "event=a");
    assertThat(written()).endsWith("event=log-suppressed kind=a count=2", "event=a");
  }

  @Test
  void nothingHeldBackMeansNothingToTell() {
    log.info("a", "event=a");
    clock.addAndGet(5_000_000_000L);
    log.flush();
    assertThat(written()).containsExactly("event=a");
  }
}
