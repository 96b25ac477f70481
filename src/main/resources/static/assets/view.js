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

export function renderRoster() {
  const people = [{ ...state.me, id: 'local', me: true }, ...state.profiles.values()];
  renderPeople($('people'), $('people-count'), people);
}

/** Every member's tile and the roster, e.g. in a newly chosen language. */
export function renderCall() {
  if (!state.call) return;
  showOwnProfile();
  for (const p of state.profiles.values()) state.call.tiles.setProfile(p.id, p);
  renderRoster();
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
