package webcall.peerjs;

import java.util.function.LongSupplier;

class InMemoryOfflineQueueTest extends OfflineQueueContract {
  @Override
  protected OfflineQueue queue(PeerJsOptions options, LongSupplier clock) {
    return new InMemoryOfflineQueue(options, clock);
  }
}
