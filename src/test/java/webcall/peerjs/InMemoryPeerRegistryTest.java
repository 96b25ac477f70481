package webcall.peerjs;

class InMemoryPeerRegistryTest extends PeerRegistryContract {
  @Override
  protected PeerRegistry registry(int concurrentLimit) {
    return new InMemoryPeerRegistry(concurrentLimit);
  }
}
