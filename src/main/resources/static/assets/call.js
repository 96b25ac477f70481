// The call flow: joining with the connections the lobby opened, following who comes and goes, and leaving.
// Members call each newcomer and the newcomer answers, so nobody depends on who was first.
import { t } from './i18n.js';
import { refreshIce } from './ice.js';
import { Calls } from './peers.js';
import { connectEarly, joinRoom, listenToRoom, sendChat, sendState } from './signaling.js';
import { dropProfile, putProfile, setCall, setEarly, state, takeCall, updateMe } from './state.js';
import { Chat } from './ui/chat.js';
import { notify } from './ui/notices.js';
import { SpeakingMeter } from './ui/speaking.js';
import { Tiles } from './ui/tiles.js';
import {
  $, nameOf, reasonOf, renderControls, renderRoster, setStatus, showOwnProfile, showProfile,
} from './view.js';

const { room } = document.body.dataset;

export async function joinCall(name) {
  const { media } = state;
  $('join-problem').textContent = '';
  updateMe({
    name,
    muted: !(media.micOn && media.hasMic()),
    cameraOff: !(media.cameraOn && media.hasCamera()),
    sharing: false,
  });
  media.startSending();
  $('lobby').hidden = true;
  $('call').hidden = false;
  $('devices-panel').append($('device-settings'));
  setStatus('connecting');

  const audio = window.AudioContext ? new AudioContext() : null;
  const tiles = new Tiles($('grid'), new SpeakingMeter(audio));
  tiles.show('local', media.previewStream(), { local: true });
  watchOwnVoice(tiles);
  tiles.setSink(media.deviceIds.audiooutput);

  const { peer, socket } = await connectEarly();
  setEarly(null); // the call owns them now
  const calls = new Calls({
    peer,
    tiles,
    stream: media.stream,
    onRemoteStream: () => { if (state.status.key === 'waiting') setStatus(null); },
    onFailed: (id) => setStatus('callFailed', { name: nameOf(id) }),
  });
  const chat = new Chat(
    { log: $('chat-log'), form: $('chat-form'), input: $('chat-input'), unread: $('unread'), button: $('btn-chat') },
    (text) => sendChat(socket, text),
  );
  // Listeners and timers of this call hang off `ended`, so leaving removes them all at once.
  const ended = new AbortController();
  const call = { peer, socket, calls, tiles, chat, joined: false, audio, ended };
  setCall(call);
  // The test hook documented in ARCHITECTURE.md.
  window.webcall = { peer, socket, calls, tiles, media, chat };
  showOwnProfile();

  // Registered before we join, so the calls our joining triggers always find a handler.
  peer.on('call', async (incoming) => {
    await refreshIce(peer);
    calls.answer(incoming);
    showProfile(incoming.peer);
  });

  const join = () => {
    if (state.call !== call || call.joined || !peer.open || !socket.connected) return;
    call.joined = true;
    joinRoom(socket, room, peer, state.me, (reply) => {
      if (!reply?.ok) {
        call.joined = false;
        if (reply?.error === 'room-full') showJoinProblem('roomFull', { capacity: reply.capacity ?? '?' });
        else showJoinProblem('joinFailed', { reason: reasonOf(reply) });
        return;
      }
      const present = new Set((reply.participants ?? []).map((p) => p.id));
      for (const id of [...state.profiles.keys()]) {
        if (present.has(id)) continue;
        dropProfile(id); // left while our signaling was away
        calls.drop(id);
      }
      for (const p of reply.participants ?? []) {
        putProfile(p.id, p);
        tiles.show(p.id, null); // seen at once; their call brings the media
        showProfile(p.id);
      }
      renderRoster();
      setStatus(state.profiles.size === 0 ? 'waiting' : null);
    });
  };
  listenToRoom(socket, {
    connect: () => { call.joined = false; join(); },
    disconnect: () => {
      if (state.call !== call) return;
      call.joined = false;
      setStatus('serverLost');
    },
    joined: async (id, profile) => {
      putProfile(id, profile);
      notify($('notices'), t('joined', { name: nameOf(id) }));
      if (state.status.key === 'waiting') setStatus(null);
      await refreshIce(peer);
      calls.call(id);
      showProfile(id);
      renderRoster();
    },
    left: (id) => {
      if (state.profiles.has(id)) notify($('notices'), t('left', { name: nameOf(id) }));
      dropProfile(id);
      calls.drop(id);
      renderRoster();
    },
    changed: (id, profile) => {
      putProfile(id, profile);
      showProfile(id);
      renderRoster();
    },
    chat: (message) => chat.add(message),
    refused: (reply) => notify($('notices'), t('requestFailed', { reason: reasonOf(reply) })),
  });

  peer.on('open', join);
  peer.on('error', (err) => {
    if (err.type === 'peer-unavailable') return; // the other side left before our call reached it
    setStatus('peerError', { reason: err.type });
  });
  renderControls();
  renderRoster();
  join(); // both were likely opened in the lobby already: their open events are past
}

/** Back to the lobby with the reason the call could not be joined. */
export function showJoinProblem(key, vars) {
  leaveCall();
  $('call').hidden = true;
  $('lobby').hidden = false;
  $('join-form').prepend($('device-settings'));
  $('join-problem').textContent = t(key, vars);
  setStatus(null);
}

export function leaveCall() {
  const call = takeCall();
  if (!call) return;
  const { peer, socket, calls, tiles, audio, ended } = call;
  ended.abort();
  socket.close();
  calls.closeAll();
  peer.destroy();
  tiles.clear();
  tiles.speaking?.close(); // our own microphone's meter, which has no tile of its own
  audio?.close();
  for (const id of ['chat-panel', 'people-panel', 'devices-panel']) $(id).hidden = true;
  $('panel').hidden = true;
  if (state.media.screen) state.media.stopShare();
}

/** Our own speaking mark comes from the microphone itself, since the local tile plays no sound. */
export function watchOwnVoice(tiles) {
  const { media } = state;
  if (!media.mic) return;
  tiles.speaking?.watch('local-mic', new MediaStream([media.mic]), (on) => {
    tiles.tiles.get('local')?.classList.toggle('speaking', on && !state.me.muted);
  });
}

/** Tells the room what changed about us; the server checks it and passes it on. */
export function announce(changed) {
  updateMe(changed);
  renderControls();
  renderRoster();
  showOwnProfile();
  if (state.call?.joined) sendState(state.call.socket, changed);
}
