// The call flow: joining with the connections the lobby opened, following who comes and goes, and leaving.
// Members call each newcomer and the newcomer answers, so nobody depends on who was first.
import { t } from './i18n.js';
import { refreshIce } from './ice.js';
import { Monitor } from './monitor.js';
import { Calls } from './peers.js';
import { rejoinDelay, retryable } from './rejoin.js';
import { connectEarly, hostRequest, joinRoom, listenToRoom, sendChat, sendState } from './signaling.js';
import {
  dropKnock, dropProfile, putKnock, putProfile, setCall, setEarly, setRoom, setView, state, takeCall, updateMe,
} from './state.js';
import { Chat } from './ui/chat.js';
import { notify } from './ui/notices.js';
import { SpeakingMeter } from './ui/speaking.js';
import { Tiles } from './ui/tiles.js';
import {
  $, nameOf, reasonOf, renderControls, renderHostControls, renderKnocks, renderRoster, setStatus, showOwnProfile,
  showProfile,
} from './view.js';

const { room } = document.body.dataset;
const budgetKbps = Number(document.body.dataset.uploadBudgetKbps) || 2500;
const FOLLOW_HOLD_MS = 2000; // following the speaker: stay on one person at least this long, so it does not flicker

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
    onRemoteStream: () => {
      if (state.status.key === 'waiting') setStatus(null);
      monitor.govern();
    },
    onFailed: (id) => setStatus('callFailed', { name: nameOf(id) }),
  });
  const chat = new Chat(
    { log: $('chat-log'), form: $('chat-form'), input: $('chat-input'), unread: $('unread'), button: $('btn-chat') },
    (text) => sendChat(socket, text),
  );
  const monitor = new Monitor({
    calls,
    tiles,
    budgetKbps,
    onStarved: (starved) => {
      tiles.setBadge('local', starved ? t('uploadLow') : '');
      document.body.dataset.uploadLow = String(starved);
    },
  });
  // Everything with a timer or listeners is in here, so leaveCall can stop it: the monitor's and the speaking
  // meter's timers, the socket's and PeerJS's listeners (closed with them).
  const call = {
    peer, socket, calls, tiles, chat, joined: false, knocking: false, audio, monitor, rejoins: 0, rejoinTimer: null,
  };
  setCall(call);
  tiles.onSpotlight = spotlight;
  let followedAt = 0;
  tiles.onSpeaking = (id) => {
    if (!state.view.follow || id === state.view.spotlight || id === 'local') return;
    if (performance.now() - followedAt < FOLLOW_HOLD_MS) return;
    followedAt = performance.now();
    spotlight(id);
  };
  // The test hook documented in ARCHITECTURE.md: tests read the page through it and data- attributes only.
  window.webcall = {
    peer, socket, tiles, media, chat,
    /** The live connections: [{peer: PeerJS id, pc: RTCPeerConnection}]. */
    connections: () => [...calls.calls].map(([id, c]) => ({ peer: id, pc: c.peerConnection })).filter((c) => c.pc),
  };
  showOwnProfile();

  // Registered before we join, so the calls our joining triggers always find a handler.
  peer.on('call', async (incoming) => {
    await refreshIce(peer);
    calls.answer(incoming);
    showProfile(incoming.peer);
  });

  // The join went through: at once, or once the host let us in (admitted).
  const entered = (reply) => {
    call.rejoins = 0;
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
    setRoom({ host: reply.host ?? null, ...(reply.settings ?? {}) });
    renderRoster();
    renderHostControls();
    setStatus(state.profiles.size === 0 ? 'waiting' : null);
  };
  const join = () => {
    if (state.call !== call || call.joined || call.knocking || !peer.open || !socket.connected) return;
    call.joined = true;
    joinRoom(socket, room, peer, state.me, state.password, (reply) => {
      if (reply?.error === 'knocking') { // the host decides: 'admitted' or 'knock-denied' follows
        call.joined = false;
        call.knocking = true;
        setStatus('waitingForHost');
        return;
      }
      if (!reply?.ok) {
        call.joined = false;
        if (retryable(reply)) {
          joinLater(reply.error);
          return;
        }
        refusedJoin(reply);
        return;
      }
      entered(reply);
    });
  };
  // The server drains before it stops, or the cluster's store does not answer ('unavailable'): wait, then join
  // again (the socket may by then be on another server).
  const joinLater = (error) => {
    const degraded = error === 'unavailable';
    const delay = rejoinDelay(call.rejoins);
    if (delay === null) {
      showJoinProblem(degraded ? 'degradedGaveUp' : 'drainingGaveUp');
      return;
    }
    call.rejoins += 1;
    setStatus(degraded ? 'degraded' : 'draining', { seconds: Math.ceil(delay / 1000) });
    clearTimeout(call.rejoinTimer);
    call.rejoinTimer = setTimeout(() => { call.rejoinTimer = null; join(); }, delay);
  };
  listenToRoom(socket, {
    connect: () => { call.joined = false; call.knocking = false; join(); },
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
      monitor.govern();
      showProfile(id);
      renderRoster();
    },
    left: (id) => {
      if (state.profiles.has(id)) notify($('notices'), t('left', { name: nameOf(id) }));
      dropProfile(id);
      calls.drop(id);
      monitor.govern();
      renderRoster();
    },
    changed: (id, profile) => {
      const wasSharing = !!state.profiles.get(id)?.sharing;
      putProfile(id, profile);
      if (!!profile?.sharing !== wasSharing) monitor.govern();
      showProfile(id);
      renderRoster();
    },
    chat: (message) => chat.add(message),
    refused: (reply) => notify($('notices'), t('requestFailed', { reason: reasonOf(reply) })),
    admitted: (reply) => {
      if (state.call !== call || !call.knocking) return;
      call.knocking = false;
      call.joined = true;
      entered(reply);
    },
    denied: (reply) => {
      if (state.call !== call) return;
      call.knocking = false;
      refusedJoin(reply ?? { error: 'knock-denied' });
    },
    removed: () => { if (state.call === call) showJoinProblem('removedFromCall'); },
    host: (id) => {
      setRoom({ host: id });
      notify($('notices'), id === peer.id ? t('youAreHost') : t('newHost', { name: nameOf(id) }));
      renderRoster();
      renderHostControls();
      renderKnocks();
    },
    settings: (settings) => {
      setRoom(settings ?? {});
      renderHostControls();
    },
    knock: (knock) => {
      if (typeof knock?.knockId !== 'string') return;
      putKnock(knock.knockId, knock.name ?? '');
      renderKnocks();
    },
    knockGone: (knock) => {
      dropKnock(knock?.knockId);
      renderKnocks();
    },
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

/** Errors of a join that send us back to the lobby, and what to tell the person. */
const JOIN_PROBLEMS = {
  'room-locked': 'roomLocked',
  'password-required': 'passwordNeeded',
  'bad-password': 'passwordWrong',
  'too-many-attempts': 'tooManyAttempts',
  'knock-denied': 'knockDenied',
  removed: 'removedFromCall',
};

function refusedJoin(reply) {
  const error = reply?.error;
  if (error === 'room-full') showJoinProblem('roomFull', { capacity: reply.capacity ?? '?' });
  else if (JOIN_PROBLEMS[error]) showJoinProblem(JOIN_PROBLEMS[error]);
  else showJoinProblem('joinFailed', { reason: reasonOf(reply) });
  if (['password-required', 'bad-password', 'too-many-attempts'].includes(error)) {
    $('password-row').hidden = false;
    $('room-password-input').focus();
  }
}

/** The host's actions (room-settings, admit, deny, remove-participant): a refusal is shown as a notice. */
async function asHost(event, arg) {
  const call = state.call;
  if (!call?.joined) return null;
  const reply = await hostRequest(call.socket, event, arg);
  if (!reply?.ok) notify($('notices'), t('requestFailed', { reason: reasonOf(reply) }));
  return reply;
}

/** Locks the room, asks newcomers to knock, sets or clears (with '') the password: {locked?, knock?, password?}. */
export async function configureRoom(changes) {
  const reply = await asHost('room-settings', changes);
  if (reply?.ok) setRoom(reply.settings);
  renderHostControls();
}

/** Lets a knocker in (admit true) or turns them away. */
export async function answerKnock(id, admit) {
  dropKnock(id);
  renderKnocks();
  await asHost(admit ? 'admit' : 'deny', id);
}

export async function removeParticipant(id) {
  await asHost('remove-participant', id);
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
  const { peer, socket, calls, tiles, audio, monitor } = call;
  clearTimeout(call.rejoinTimer);
  monitor.close();
  setView({ spotlight: null });
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  if (document.pictureInPictureElement) document.exitPictureInPicture().catch(() => {});
  socket.close();
  calls.closeAll();
  peer.destroy();
  tiles.clear();
  delete document.body.dataset.uploadLow;
  tiles.speaking?.close(); // our own microphone's meter, which has no tile of its own
  audio?.close();
  for (const id of ['chat-panel', 'people-panel', 'devices-panel']) $(id).hidden = true;
  renderKnocks();
  renderHostControls();
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

/** One tile large, the others in a strip; null for the grid again. */
export function spotlight(id) {
  setView({ spotlight: id });
  state.call?.tiles.spotlight(id);
}

/** Whether the spotlight follows whoever speaks. */
export function follow(on) {
  setView({ follow: on });
}

/** Tells the room what changed about us; the server checks it and passes it on. */
export function announce(changed) {
  updateMe(changed);
  renderControls();
  renderRoster();
  showOwnProfile();
  if (state.call?.joined) sendState(state.call.socket, changed);
  if ('sharing' in changed) state.call?.monitor.govern(); // a screen has its own limits
}
