// The call's toolbar: mute, camera, screen share, the side panels and leave, with the M and V shortcuts.
import { fillDevices } from './devices.js';
import { t } from './i18n.js';
import {
  announce, answerKnock, configureRoom, follow, leaveCall, removeParticipant, spotlight, watchOwnVoice,
} from './call.js';
import { state } from './state.js';
import { notify } from './ui/notices.js';
import { $, errorText, renderControls } from './view.js';

async function toggleMic() {
  const { media, me } = state;
  if (!media.hasMic()) {
    notify($('notices'), t('noMicToUnmute'));
    return;
  }
  media.setMicOn(me.muted);
  announce({ muted: !me.muted });
}

async function toggleCamera() {
  const { media, me } = state;
  try {
    await media.setCameraOn(me.cameraOff);
    announce({ cameraOff: !media.cameraOn });
  } catch (err) {
    notify($('notices'), t('deviceFailed', { reason: errorText(err) }));
    renderControls();
  }
}

async function toggleShare() {
  const { media, me } = state;
  if (me.sharing) {
    media.stopShare(); // emits share-ended, which tells the room
    return;
  }
  try {
    await media.startShare();
    announce({ sharing: true });
  } catch (err) {
    if (err?.name !== 'NotAllowedError') notify($('notices'), t('shareFailed', { reason: errorText(err) }));
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
  state.call?.chat.setOpen(opening && which === 'chat');
  if (opening && which === 'devices') fillDevices();
}

/** The host's controls: lock, ask to join, password, remove a participant, and the knock prompts. */
function wireHostControls() {
  $('host-lock').addEventListener('change', (e) => configureRoom({ locked: e.target.checked }));
  $('host-knock').addEventListener('change', (e) => configureRoom({ knock: e.target.checked }));
  $('host-password-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const password = $('host-password').value;
    $('host-password').value = '';
    if (password) configureRoom({ password });
  });
  $('host-password-clear').addEventListener('click', () => configureRoom({ password: '' }));
  $('people').addEventListener('click', (e) => {
    const button = e.target.closest('button[data-remove]');
    if (button) removeParticipant(button.dataset.remove);
  });
  $('knocks').addEventListener('click', (e) => {
    const button = e.target.closest('button[data-answer]');
    if (button) answerKnock(button.dataset.knock, button.dataset.answer === 'admit');
  });
}

export function wireToolbar() {
  const { media } = state;
  wireHostControls();
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
      announce({ sharing: false });
      return;
    }
    const { call } = state;
    call?.calls.replaceTrack(kind, track);
    call?.tiles.setLocalStream(media.previewStream());
    if (kind === 'audio' && call) watchOwnVoice(call.tiles); // the mark follows a newly chosen microphone
    renderControls();
  });

  $('follow-speaker').addEventListener('change', (e) => follow(e.target.checked));

  // M and V as in other call apps; never while typing. Escape leaves the spotlight (after any open popover).
  document.addEventListener('keydown', (e) => {
    if (!state.call || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    if (e.key === 'Escape' && state.view.spotlight && !document.querySelector(':popover-open')
      && !document.fullscreenElement) {
      const tile = state.call.tiles.tiles.get(state.view.spotlight);
      spotlight(null);
      tile?.querySelector('.spot')?.focus(); // where the person was, not lost at the top of the page
      return;
    }
    if (e.target.closest?.('input, textarea, select, [contenteditable]')) return;
    const key = e.key.toLowerCase();
    if (key === 'm') { e.preventDefault(); toggleMic(); }
    if (key === 'v') { e.preventDefault(); toggleCamera(); }
  });
}
