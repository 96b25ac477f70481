// Media calls through PeerJS: at most one call per remote peer, its tile shown while the call lives.
import { t } from './i18n.js';
import { watchIce } from './ice.js';

// Ask for the other side's audio and video whatever we send, so nobody depends on what the caller has.
const RECEIVE_BOTH = { offerToReceiveAudio: true, offerToReceiveVideo: true };
const FAILED_GRACE_MS = 10000;

export class Calls {
  constructor({ peer, tiles, stream, onRemoteStream, onFailed }) {
    this.peer = peer;
    this.tiles = tiles;
    this.stream = stream; // the outgoing stream: one audio and one video track
    this.onRemoteStream = onRemoteStream;
    this.onFailed = onFailed; // told once per failed connection, e.g. to suggest TURN
    this.calls = new Map();
  }

  /**
   * Calls a peer that has just joined. An older call with it is replaced, never doubled; but one whose connection
   * still works is kept: the same page back after its signaling dropped (its server restarted or died, and it joined
   * again through another) has lost nothing, and a new call would restart its picture.
   */
  call(id) {
    const old = this.calls.get(id);
    const live = old?.peerConnection?.connectionState;
    if (live === 'connected' || live === 'connecting') return;
    this.calls.delete(id);
    old?.close();
    const call = this.peer.call(id, this.stream, { constraints: RECEIVE_BOTH });
    if (call) this.track(call);
  }

  /** Answers an incoming call, replacing any older call with the same peer. */
  answer(call) {
    const old = this.calls.get(call.peer);
    this.calls.set(call.peer, call);
    if (old && old !== call) old.close();
    call.answer(this.stream);
    this.track(call);
  }

  track(call) {
    const id = call.peer;
    this.calls.set(id, call);
    const current = () => this.calls.get(id) === call;
    // A tile from the start: a member whose media has not arrived yet is still seen to be in the call.
    this.tiles.show(id, null);
    call.on('stream', (stream) => {
      if (!current()) return;
      const [audio] = stream.getAudioTracks();
      const levels = call.peerConnection?.getReceivers().find((r) => audio && r.track === audio);
      this.tiles.show(id, stream, { levels });
      this.onRemoteStream?.(id);
    });
    call.on('close', () => {
      if (!current()) return;
      this.calls.delete(id);
      this.tiles.remove(id);
    });
    call.on('error', () => {
      if (current()) this.tiles.setBadge(id, t('connectionFailed'));
    });
    this.watch(call, current);
  }

  /**
   * The tile tells how the connection is doing. A failed one is reported once (watchIce also catches ICE that never
   * gets going) and dropped if it does not recover: no frozen tiles.
   */
  watch(call, current) {
    const pc = call.peerConnection;
    if (!pc) return;
    pc.addEventListener('connectionstatechange', () => {
      if (!current()) return;
      if (pc.connectionState === 'connected') this.tiles.setBadge(call.peer, '');
      else if (pc.connectionState === 'disconnected') this.tiles.setBadge(call.peer, t('reconnecting'));
    });
    watchIce(call, () => {
      if (!current()) return;
      this.tiles.setBadge(call.peer, t('connectionFailed'));
      this.onFailed?.(call.peer);
      setTimeout(() => { if (current() && pc.connectionState === 'failed') this.drop(call.peer); }, FAILED_GRACE_MS);
    });
  }

  /** Puts a new outgoing track on every call in place of the old one of its kind: no renegotiation needed. */
  replaceTrack(kind, track) {
    for (const call of this.calls.values()) {
      const sender = call.peerConnection?.getSenders().find((s) => s.track?.kind === kind);
      sender?.replaceTrack(track).catch(() => {});
    }
  }

  /** Ends the call with a peer (it left) and removes its tile. */
  drop(id) {
    const call = this.calls.get(id);
    this.calls.delete(id);
    call?.close();
    this.tiles.remove(id);
  }

  closeAll() {
    for (const id of [...this.calls.keys()]) this.drop(id);
  }
}
