// The call page. A lobby first (preview, name, mic/camera, devices), then the call: PeerJS for media, Socket.IO for
// the room. Members call each newcomer and the newcomer answers, so nobody depends on who was first.
import { language, loadLanguage, pickLanguage, saveLanguage, t, translate } from './i18n.js';
import { iceConfig, refreshIce } from './ice.js';
import { LocalMedia, listDevices } from './media.js';
import { Calls } from './peers.js';
import { Chat } from './ui/chat.js';
import { notify } from './ui/notices.js';
import { renderPeople } from './ui/people.js';
import { SpeakingMeter } from './ui/speaking.js';
import { Tiles } from './ui/tiles.js';

const NAME_KEY = 'webcall.name';
const { room, peerPath, peerKey } = document.body.dataset;
const $ = (id) => document.getElementById(id);

const media = new LocalMedia();
const me = { name: '', muted: false, cameraOff: false, sharing: false };
const profiles = new Map(); // remote PeerJS id -> {id, name, muted, cameraOff, sharing}
let call = null; // the live call's objects, once joined
let early = null; // a promise of {peer, socket} opened in the lobby, until a call takes them
let statusKey = null;
let statusVars = {};

// ---- status line and labels ------------------------------------------------------------------------------------

/** The status line shows a passing state (connecting, lost...) or else the lasting media problem, if any. */
function setStatus(key, vars = {}) {
  statusKey = key;
  statusVars = vars;
  renderStatus();
}

function renderStatus() {
  const lasting = media.problem ? t(media.problem) : '';
  // In the lobby the media problem has its own place next to the preview.
  $('status').textContent = statusKey ? t(statusKey, statusVars) : (call ? lasting : '');
  $('media-problem').textContent = lasting;
}

function setTool(button, labelKey, active) {
  button.textContent = t(labelKey);
  button.classList.toggle('active', active);
}

function renderControls() {
  const micOn = media.micOn && media.hasMic();
  const camOn = media.cameraOn && media.hasCamera();
  setTool($('lobby-mic'), micOn ? 'micOn' : 'micOff', !micOn);
  $('lobby-mic').setAttribute('aria-pressed', String(micOn));
  setTool($('lobby-cam'), camOn ? 'camOn' : 'camOff', !camOn);
  $('lobby-cam').setAttribute('aria-pressed', String(camOn));
  setTool($('btn-mic'), me.muted ? 'unmute' : 'mute', me.muted);
  setTool($('btn-cam'), me.cameraOff ? 'startCamera' : 'stopCamera', me.cameraOff);
  setTool($('btn-share'), me.sharing ? 'stopShare' : 'share', me.sharing);
  showOwnVideo($('preview'));
  $('preview-off').hidden = camOn;
}

/** Points a video at our camera (or screen) only when that track changed: a new srcObject restarts playback. */
function showOwnVideo(video) {
  const next = media.previewStream();
  const [shown] = video.srcObject?.getVideoTracks() ?? [];
  if (video.srcObject && shown === next.getVideoTracks()[0]) return;
  video.srcObject = next;
}

function renderAll() {
  translate();
  renderStatus();
  renderControls();
  fillDevices();
  if (!call) return;
  showOwnProfile();
  for (const p of profiles.values()) call.tiles.setProfile(p.id, p);
  renderRoster();
  call.chat.renderUnread();
}

// ---- devices ---------------------------------------------------------------------------------------------------

const SELECTS = { videoinput: 'camera-select', audioinput: 'mic-select', audiooutput: 'speaker-select' };

async function fillDevices() {
  const devices = await listDevices();
  const current = {
    videoinput: media.camera?.getSettings().deviceId ?? media.deviceIds.videoinput,
    audioinput: media.mic?.getSettings().deviceId ?? media.deviceIds.audioinput,
    audiooutput: media.deviceIds.audiooutput,
  };
  const canPickSpeaker = 'setSinkId' in HTMLMediaElement.prototype;
  for (const [kind, id] of Object.entries(SELECTS)) {
    const select = $(id);
    const own = devices.filter((d) => d.kind === kind && d.deviceId);
    select.replaceChildren();
    if (kind === 'audiooutput') select.append(new Option(t('defaultDevice'), ''));
    own.forEach((d, i) => {
      if (kind === 'audiooutput' && d.deviceId === 'default') return;
      select.append(new Option(d.label || `${t(kind === 'videoinput' ? 'camera' : kind === 'audioinput' ? 'microphone' : 'speaker')} ${i + 1}`, d.deviceId));
    });
    select.value = current[kind] || '';
    select.disabled = select.options.length === 0 || (kind === 'audiooutput' && !canPickSpeaker);
  }
}

function wireDevices() {
  for (const [kind, id] of Object.entries(SELECTS)) {
    $(id).addEventListener('change', async (e) => {
      const deviceId = e.target.value;
      try {
        if (kind === 'audiooutput') {
          media.deviceIds.audiooutput = deviceId;
          call?.tiles.setSink(deviceId);
        } else {
          await media.useDevice(kind, deviceId);
        }
      } catch (err) {
        notify($('notices'), t('deviceFailed', { reason: err?.message || err?.name || '?' }));
      }
      renderControls();
    });
  }
  navigator.mediaDevices?.addEventListener?.('devicechange', () => fillDevices());
}

// ---- lobby -----------------------------------------------------------------------------------------------------

async function lobby(opening) {
  $('name').value = localStorage.getItem(NAME_KEY) ?? '';
  $('lobby-mic').addEventListener('click', () => {
    media.setMicOn(!media.micOn);
    renderControls();
  });
  $('lobby-cam').addEventListener('click', async () => {
    try {
      await media.setCameraOn(!(media.cameraOn && media.hasCamera()));
    } catch (err) {
      notify($('notices'), t('deviceFailed', { reason: err?.message || err?.name || '?' }));
    }
    renderControls();
  });
  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (call) return;
    const name = $('name').value.trim();
    localStorage.setItem(NAME_KEY, name);
    joinCall(name).catch((err) => showJoinProblem('joinFailed', { reason: err?.message ?? String(err) }));
  });
  await opening;
  renderStatus();
  renderControls();
  await fillDevices();
}

function showJoinProblem(key, vars) {
  leaveCall();
  $('call').hidden = true;
  $('lobby').hidden = false;
  $('join-form').prepend($('device-settings'));
  $('join-problem').textContent = t(key, vars);
  setStatus(null);
}

// ---- the call --------------------------------------------------------------------------------------------------

async function joinCall(name) {
  $('join-problem').textContent = '';
  me.name = name;
  me.muted = !(media.micOn && media.hasMic());
  me.cameraOff = !(media.cameraOn && media.hasCamera());
  me.sharing = false;
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
  early = null; // the call owns them now
  const calls = new Calls({
    peer,
    tiles,
    stream: media.stream,
    onRemoteStream: () => { if (statusKey === 'waiting') setStatus(null); },
    onFailed: (id) => setStatus('callFailed', { name: nameOf(id) }),
  });
  const chat = new Chat(
    { log: $('chat-log'), form: $('chat-form'), input: $('chat-input'), unread: $('unread'), button: $('btn-chat') },
    (text) => new Promise((resolve) => {
      socket.timeout(5000).emit('chat', text, (err, reply) => {
        if (err) resolve({ ok: false, message: t('timeout') });
        else resolve(reply?.ok ? reply : { ok: false, message: reasonOf(reply) });
      });
    }),
  );
  call = { peer, socket, calls, tiles, chat, joined: false, audio };
  window.webcall = { peer, socket, calls, tiles, media, chat };
  showOwnProfile();

  // Registered before we join, so the calls our joining triggers always find a handler.
  peer.on('call', async (incoming) => {
    await refreshIce(peer);
    calls.answer(incoming);
    showProfile(incoming.peer);
  });

  const join = () => {
    if (call?.peer !== peer || call.joined || !peer.open || !socket.connected) return;
    call.joined = true;
    const profile = { token: peer.options.token, ...me };
    socket.emit('join-room', room, peer.id, profile, (reply) => {
      if (!reply?.ok) {
        call.joined = false;
        if (reply?.error === 'room-full') showJoinProblem('roomFull', { capacity: reply.capacity ?? '?' });
        else showJoinProblem('joinFailed', { reason: reasonOf(reply) });
        return;
      }
      const present = new Set((reply.participants ?? []).map((p) => p.id));
      for (const id of [...profiles.keys()]) {
        if (present.has(id)) continue;
        profiles.delete(id); // left while our signaling was away
        calls.drop(id);
      }
      for (const p of reply.participants ?? []) {
        profiles.set(p.id, p);
        tiles.show(p.id, null); // seen at once; their call brings the media
        showProfile(p.id);
      }
      renderRoster();
      setStatus(profiles.size === 0 ? 'waiting' : null);
    });
  };
  socket.on('connect', () => { call.joined = false; join(); });
  socket.on('disconnect', () => {
    if (call?.socket !== socket) return;
    call.joined = false;
    setStatus('serverLost');
  });
  socket.on('user-connected', async (id, profile) => {
    profiles.set(id, { ...profile, id });
    notify($('notices'), t('joined', { name: nameOf(id) }));
    if (statusKey === 'waiting') setStatus(null);
    await refreshIce(peer);
    calls.call(id);
    showProfile(id);
    renderRoster();
  });
  socket.on('user-disconnected', (id) => {
    const known = profiles.has(id);
    if (known) notify($('notices'), t('left', { name: nameOf(id) }));
    profiles.delete(id);
    calls.drop(id);
    renderRoster();
  });
  socket.on('user-state', (id, profile) => {
    profiles.set(id, { ...profile, id });
    showProfile(id);
    renderRoster();
  });
  socket.on('chat-message', (message) => chat.add(message));
  socket.on('request-error', (reply) => notify($('notices'), t('requestFailed', { reason: reasonOf(reply) })));

  peer.on('open', join);
  peer.on('error', (err) => {
    if (err.type === 'peer-unavailable') return; // the other side left before our call reached it
    setStatus('peerError', { reason: err.type });
  });
  renderControls();
  renderRoster();
  join(); // both were likely opened in the lobby already: their open events are past
}

/**
 * PeerJS and Socket.IO, opened while the person is still in the lobby so that Join has nothing left to wait for.
 * Nobody learns our PeerJS id before we join, so no call can arrive before its handler is in place.
 */
async function connectEarly() {
  if (!early) {
    early = (async () => {
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
    })();
  }
  return early;
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

function closeEarly() {
  const pending = early;
  early = null;
  pending?.then(({ peer, socket }) => {
    socket.close();
    peer.destroy();
  });
}

function leaveCall() {
  if (!call) return;
  const { peer, socket, calls, tiles, audio } = call;
  call = null;
  socket.close();
  calls.closeAll();
  peer.destroy();
  tiles.clear();
  tiles.speaking?.close(); // our own microphone's meter, which has no tile of its own
  audio?.close();
  profiles.clear();
  for (const id of ['chat-panel', 'people-panel', 'devices-panel']) $(id).hidden = true;
  $('panel').hidden = true;
  if (media.screen) media.stopShare();
}

/** A server rejection in the page's language: its code names the string; the server's English is the fallback. */
function reasonOf(reply) {
  const key = `err-${reply?.error}`;
  const text = t(key, reply ?? {});
  return text !== key ? text : (reply?.message ?? '?');
}

/** Our own tile: our name marked as us. */
function showOwnProfile() {
  const label = me.name ? `${me.name} (${t('you')})` : t('you');
  call?.tiles.setProfile('local', { ...me, name: label });
}

function nameOf(id) {
  return profiles.get(id)?.name || t('guest');
}

function showProfile(id) {
  const p = profiles.get(id);
  if (p && call) call.tiles.setProfile(id, p);
}

function renderRoster() {
  const people = [{ ...me, id: 'local', me: true }, ...profiles.values()];
  renderPeople($('people'), $('people-count'), people);
}

/** Our own speaking mark comes from the microphone itself, since the local tile plays no sound. */
function watchOwnVoice(tiles) {
  if (!media.mic) return;
  tiles.speaking?.watch('local-mic', new MediaStream([media.mic]), (on) => {
    tiles.tiles.get('local')?.classList.toggle('speaking', on && !me.muted);
  });
}

/** Tells the room what changed about us; the server checks it and passes it on. */
function sendState(changed) {
  Object.assign(me, changed);
  renderControls();
  renderRoster();
  showOwnProfile();
  if (call?.joined) call.socket.emit('state', changed);
}

async function toggleMic() {
  if (!media.hasMic()) {
    notify($('notices'), t('noMicToUnmute'));
    return;
  }
  media.setMicOn(me.muted);
  sendState({ muted: !me.muted });
}

async function toggleCamera() {
  try {
    await media.setCameraOn(me.cameraOff);
    sendState({ cameraOff: !media.cameraOn });
  } catch (err) {
    notify($('notices'), t('deviceFailed', { reason: err?.message || err?.name || '?' }));
    renderControls();
  }
}

async function toggleShare() {
  if (me.sharing) {
    media.stopShare(); // emits share-ended, which tells the room
    return;
  }
  try {
    await media.startShare();
    sendState({ sharing: true });
  } catch (err) {
    if (err?.name !== 'NotAllowedError') notify($('notices'), t('shareFailed', { reason: err?.message || err?.name || '?' }));
  }
}

function togglePanel(which) {
  const panels = { chat: 'chat-panel', people: 'people-panel', devices: 'devices-panel' };
  const buttons = { chat: 'btn-chat', people: 'btn-people', devices: 'btn-devices' };
  const opening = $(panels[which]).hidden;
  for (const [key, id] of Object.entries(panels)) {
    $(id).hidden = !(opening && key === which);
    $(buttons[key]).setAttribute('aria-expanded', String(opening && key === which));
  }
  $('panel').hidden = !opening;
  call?.chat.setOpen(opening && which === 'chat');
  if (opening && which === 'devices') fillDevices();
}

function wireToolbar() {
  $('btn-mic').addEventListener('click', toggleMic);
  $('btn-cam').addEventListener('click', toggleCamera);
  $('btn-share').addEventListener('click', toggleShare);
  $('btn-chat').addEventListener('click', () => togglePanel('chat'));
  $('btn-people').addEventListener('click', () => togglePanel('people'));
  $('btn-devices').addEventListener('click', () => togglePanel('devices'));
  $('btn-leave').addEventListener('click', () => {
    leaveCall();
    media.stop();
    $('call').hidden = true;
    $('ended').hidden = false;
    $('rejoin').focus();
  });
  $('rejoin').addEventListener('click', () => location.reload());
  if (!navigator.mediaDevices?.getDisplayMedia) $('btn-share').hidden = true;

  media.onChange((kind, track) => {
    if (kind === 'share-ended') {
      sendState({ sharing: false });
      return;
    }
    call?.calls.replaceTrack(kind, track);
    call?.tiles.setLocalStream(media.previewStream());
    if (kind === 'audio' && call) watchOwnVoice(call.tiles); // the mark follows a newly chosen microphone
    renderControls();
  });

  // M and V as in other call apps; never while typing.
  document.addEventListener('keydown', (e) => {
    if (!call || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    if (e.target.closest?.('input, textarea, select, [contenteditable]')) return;
    const key = e.key.toLowerCase();
    if (key === 'm') { e.preventDefault(); toggleMic(); }
    if (key === 'v') { e.preventDefault(); toggleCamera(); }
  });
}

function wireHeader() {
  const button = $('copy-link');
  const link = `${location.origin}/${room}`;
  $('invite-link').value = link;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(link);
      notify($('notices'), t('copied'));
    } catch {
      $('invite-link').select(); // the clipboard needs a secure page: let the person copy it by hand
      notify($('notices'), t('copyByHand'));
    }
  });
  const select = $('language');
  select.value = language();
  select.addEventListener('change', async () => {
    saveLanguage(select.value);
    await loadLanguage(select.value);
    renderAll();
  });
}

async function main() {
  // The camera starts and both connections open while the strings load: the permission prompt, the device and the
  // handshakes are the slow part, and Join then only has to send join-room.
  const opening = media.open();
  connectEarly().catch(() => {}); // a failure shows when Join retries it
  await loadLanguage(pickLanguage());
  wireHeader();
  wireDevices();
  wireToolbar();
  renderAll();
  window.addEventListener('pagehide', () => {
    leaveCall();
    closeEarly();
  });
  await lobby(opening);
  $('join').disabled = false;
}

main().catch((e) => {
  $('status').textContent = t('peerError', { reason: e?.message ?? String(e) });
});
