// The room's signaling: PeerJS and Socket.IO opened early, and the Socket.IO events of docs/signaling.md.
import { t } from './i18n.js';
import { iceConfig } from './ice.js';
import { setEarly, state } from './state.js';
import { reasonOf } from './view.js';

const { peerPath, peerKey } = document.body.dataset;

/**
 * PeerJS and Socket.IO, opened while the person is still in the lobby so that Join has nothing left to wait for.
 * Nobody learns our PeerJS id before we join, so no call can arrive before its handler is in place.
 */
export function connectEarly() {
  if (!state.early) {
    setEarly((async () => {
      // Nothing here waits for the ICE servers: every call and answer sets them first (refreshIce), and asking now
      // means the first call finds them fresh.
      iceConfig();
      await librariesLoaded();
      const socket = io({ path: '/socket.io' });
      const secure = location.protocol === 'https:';
      // Our own random id: PeerJS would otherwise first ask the server for one, a round trip before its WebSocket.
      const peer = new Peer(randomPeerId(), {
        host: location.hostname,
        port: Number(location.port) || (secure ? 443 : 80),
        path: peerPath,
        key: peerKey,
        secure,
        debug: 1,
        config: { iceServers: [] },
      });
      peer.on('disconnected', () => {
        // The PeerJS socket dropped (in the lobby or in a call, whose media goes on): back with the same id and token.
        setTimeout(() => { if (!peer.destroyed && peer.disconnected) peer.reconnect(); }, 1000);
      });
      return { peer, socket };
    })());
  }
  return state.early;
}

/** Closes connections opened in the lobby that no call took. */
export function closeEarly() {
  const pending = state.early;
  setEarly(null);
  pending?.then(({ peer, socket }) => {
    socket.close();
    peer.destroy();
  });
}

/** socket.io.min.js and peerjs.min.js are deferred classic scripts, which this async module may start before. */
function librariesLoaded() {
  if (window.io && window.Peer) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = () => (window.io && window.Peer ? resolve() : reject(new Error('socket.io or peerjs did not load')));
    if (document.readyState === 'complete') {
      check();
      return;
    }
    // DOMContentLoaded comes once every deferred script has run; load, in case that was before this module started.
    document.addEventListener('DOMContentLoaded', check, { once: true });
    window.addEventListener('load', check, { once: true });
  });
}

/** 128 random bits in hex: a valid PeerJS id nobody can guess (crypto.randomUUID needs a secure page; LANs use http). */
function randomPeerId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * join-room: reply(answer) gets the server's answer, {ok, participants, host, settings} or {ok: false, error...};
 * {error: 'knocking'} means the host decides, and the answer comes later as 'admitted' or 'knock-denied'.
 */
export function joinRoom(socket, room, peer, profile, password, reply) {
  const extra = password ? { password } : {};
  socket.emit('join-room', room, peer.id, { token: peer.options.token, ...profile, ...extra }, reply);
}

/** A host action (room-settings, admit, deny, remove-participant); resolves to the server's answer. */
export function hostRequest(socket, event, arg) {
  return new Promise((resolve) => {
    socket.timeout(5000).emit(event, arg, (err, reply) => {
      resolve(err ? { ok: false, message: t('timeout') } : reply);
    });
  });
}

/**
 * The room's events, each to its handler in on: connect, disconnect, joined, left, changed, chat, refused, and for
 * private rooms admitted, denied, removed, host, settings, knock, knockGone.
 */
export function listenToRoom(socket, on) {
  socket.on('connect', on.connect);
  socket.on('disconnect', on.disconnect);
  socket.on('user-connected', on.joined);
  socket.on('user-disconnected', on.left);
  socket.on('user-state', on.changed);
  socket.on('chat-message', on.chat);
  socket.on('request-error', on.refused);
  socket.on('admitted', on.admitted);
  socket.on('knock-denied', on.denied);
  socket.on('removed', on.removed);
  socket.on('host-changed', on.host);
  socket.on('room-settings', on.settings);
  socket.on('knock', on.knock);
  socket.on('knock-withdrawn', on.knockGone);
}

/** Sends a chat message; resolves to the server's answer, or a failure in the page's language. */
export function sendChat(socket, text) {
  return new Promise((resolve) => {
    socket.timeout(5000).emit('chat', text, (err, reply) => {
      if (err) resolve({ ok: false, message: t('timeout') });
      else resolve(reply?.ok ? reply : { ok: false, message: reasonOf(reply) });
    });
  });
}

export function sendState(socket, changed) {
  socket.emit('state', changed);
}
