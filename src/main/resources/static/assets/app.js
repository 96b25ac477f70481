// The call page: local media, then PeerJS, then the room. Members call each newcomer; the newcomer answers.
import { loadLanguage, pickLanguage, t, translate } from './i18n.js';
import { getLocalMedia } from './media.js';
import { Calls } from './peers.js';
import { Tiles } from './ui/tiles.js';

const { room, peerPath, peerKey } = document.body.dataset;
const statusLine = document.getElementById('status');
const grid = document.getElementById('grid');
let notice = ''; // a lasting message about our own media, shown under passing ones

function setStatus(key, vars) {
  statusLine.textContent = key ? t(key, vars) : notice;
}

async function main() {
  await loadLanguage(pickLanguage());
  translate();
  wireCopyLink();
  setStatus('startingMedia');

  const { stream, problem } = await getLocalMedia();
  notice = problem ? t(problem) : '';
  const tiles = new Tiles(grid);
  tiles.show('local', stream ?? new MediaStream(), { local: true, label: t('you') });

  const secure = location.protocol === 'https:';
  const peer = new Peer(undefined, {
    host: location.hostname,
    port: Number(location.port) || (secure ? 443 : 80),
    path: peerPath,
    key: peerKey,
    secure,
    debug: 1,
    config: { iceServers: [] }, // no third-party servers: host candidates serve a LAN
  });
  const calls = new Calls({ peer, tiles, localStream: stream, onRemoteStream: () => setStatus(null) });
  // Registered before we join, so the calls our joining triggers always find a handler.
  peer.on('call', (call) => calls.answer(call));

  const socket = io({ path: '/socket.io' });
  let joined = false;
  const join = () => {
    if (joined || !peer.open || !socket.connected) return;
    joined = true;
    setStatus('connecting');
    socket.emit('join-room', room, peer.id, { token: peer.options.token }, (reply) => {
      if (!reply?.ok) {
        setStatus(reply?.error === 'room-full' ? 'roomFull' : 'joinFailed', { reason: reply?.message ?? '?' });
        return;
      }
      setStatus(reply.members.length === 0 ? 'waiting' : null);
    });
  };
  socket.on('connect', () => { joined = false; join(); });
  socket.on('disconnect', () => { joined = false; setStatus('serverLost'); });
  socket.on('user-connected', (id) => calls.call(id));
  socket.on('user-disconnected', (id) => calls.drop(id));

  peer.on('open', join);
  peer.on('disconnected', () => {
    setTimeout(() => { if (!peer.destroyed && peer.disconnected) peer.reconnect(); }, 1000);
  });
  peer.on('error', (err) => {
    if (err.type === 'peer-unavailable') return; // the other side left before our call reached it
    setStatus('peerError', { reason: err.type });
  });

  window.addEventListener('pagehide', () => {
    socket.close();
    peer.destroy();
  });
  window.webcall = { peer, socket, calls, tiles }; // a handle for debugging from the console
}

function wireCopyLink() {
  const button = document.getElementById('copy-link');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      button.textContent = t('copied');
      setTimeout(() => { button.textContent = t('copyLink'); }, 2000);
    } catch {
      window.prompt(t('copyLink'), location.href);
    }
  });
}

main().catch((e) => {
  statusLine.textContent = t('peerError', { reason: e?.message ?? String(e) });
});
