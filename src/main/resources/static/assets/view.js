// What the page shows of the state: the status line, the toolbar's and the lobby's toggles, the tiles' names and
// the participants list. Each function redraws its part from the state; none changes the state.
import { t } from './i18n.js';
import { setStatusKey, state } from './state.js';
import { renderPeople } from './ui/people.js';

export const $ = (id) => document.getElementById(id);

/** The status line shows a passing state (connecting, lost...) or else the lasting media problem, if any. */
export function setStatus(key, vars = {}) {
  setStatusKey(key, vars);
  renderStatus();
}

export function renderStatus() {
  const { media, call, status } = state;
  const lasting = media.problem ? t(media.problem) : '';
  // In the lobby the media problem has its own place next to the preview.
  $('status').textContent = status.key ? t(status.key, status.vars) : (call ? lasting : '');
  $('media-problem').textContent = lasting;
}

/** A button's label (its .label part when it has an icon) and state; its shortcut, if any, goes in the tooltip. */
function setTool(button, labelKey, active) {
  const label = t(labelKey);
  (button.querySelector('.label') ?? button).textContent = label;
  const keys = button.getAttribute('aria-keyshortcuts');
  if (keys) button.title = `${label} (${keys})`;
  button.classList.toggle('active', active);
}

export function renderControls() {
  const { media, me } = state;
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
  const next = state.media.previewStream();
  const [shown] = video.srcObject?.getVideoTracks() ?? [];
  if (video.srcObject && shown === next.getVideoTracks()[0]) return;
  video.srcObject = next;
}

/** Our own tile: our name marked as us. */
export function showOwnProfile() {
  const { me } = state;
  const label = me.name ? `${me.name} (${t('you')})` : t('you');
  state.call?.tiles.setProfile('local', { ...me, name: label });
}

export function showProfile(id) {
  const p = state.profiles.get(id);
  if (p && state.call) state.call.tiles.setProfile(id, p);
}

/** Whether we host the room we are in. */
export function amHost() {
  return !!state.call?.joined && state.room.host !== null && state.room.host === state.call.peer.id;
}

export function renderRoster() {
  const host = amHost();
  const mine = state.call?.peer?.id;
  const people = [
    { ...state.me, id: 'local', me: true, host: host },
    ...[...state.profiles.values()].map((p) => ({ ...p, host: p.id === state.room.host && p.id !== mine, removable: host })),
  ];
  renderPeople($('people'), $('people-count'), people);
}

/** The host's toggles in the participants panel: shown to the host only (the server refuses the others anyway). */
export function renderHostControls() {
  const { room } = state;
  $('host-controls').hidden = !amHost();
  $('host-lock').checked = room.locked;
  $('host-knock').checked = room.knock;
  $('host-password-state').textContent = t(room.password ? 'passwordOn' : 'passwordOff');
  $('host-password-clear').disabled = !room.password;
}

/** People waiting to be let in, each with Admit and Deny; only a host has any. */
export function renderKnocks() {
  const list = $('knocks');
  list.replaceChildren();
  if (!amHost()) return;
  for (const [id, name] of state.knocks) {
    const item = document.createElement('div');
    item.className = 'knock';
    item.dataset.knock = id;
    const text = document.createElement('span');
    text.textContent = t('knockFrom', { name: name || t('guest') });
    const admit = document.createElement('button');
    admit.type = 'button';
    admit.className = 'primary';
    admit.dataset.knock = id;
    admit.dataset.answer = 'admit';
    admit.textContent = t('admit');
    const deny = document.createElement('button');
    deny.type = 'button';
    deny.dataset.knock = id;
    deny.dataset.answer = 'deny';
    deny.textContent = t('deny');
    item.append(text, admit, deny);
    list.append(item);
  }
}

/** Every member's tile and the roster, e.g. in a newly chosen language. */
export function renderCall() {
  if (!state.call) return;
  showOwnProfile();
  for (const p of state.profiles.values()) state.call.tiles.setProfile(p.id, p);
  renderRoster();
  renderHostControls();
  renderKnocks();
  state.call.chat.renderUnread();
}

export function nameOf(id) {
  return state.profiles.get(id)?.name || t('guest');
}

/** A server rejection in the page's language: its code names the string; the server's English is the fallback. */
export function reasonOf(reply) {
  const key = `err-${reply?.error}`;
  const text = t(key, reply ?? {});
  return text !== key ? text : (reply?.message ?? '?');
}

/** The message of a failed device request, for a notice. */
export function errorText(err) {
  return err?.message || err?.name || '?';
}
