// The call page. A lobby first (preview, name, mic/camera, devices), then the call. The state lives in state.js;
// signaling.js, call.js, toolbar.js and devices.js each handle one concern, view.js draws the state.
import { language, loadLanguage, pickLanguage, saveLanguage, t, translate } from './i18n.js';
import { joinCall, leaveCall, showJoinProblem } from './call.js';
import { fillDevices, wireDevices } from './devices.js';
import { wireInvite } from './invite.js';
import { closeEarly, connectEarly } from './signaling.js';
import { setPassword, state } from './state.js';
import { wireToolbar } from './toolbar.js';
import { notify } from './ui/notices.js';
import { $, errorText, renderCall, renderControls, renderStatus } from './view.js';

const NAME_KEY = 'webcall.name';
const { room } = document.body.dataset;

function renderAll() {
  translate();
  renderStatus();
  renderControls();
  fillDevices();
  renderCall();
}

async function lobby(opening) {
  const { media } = state;
  $('name').value = localStorage.getItem(NAME_KEY) ?? '';
  $('lobby-mic').addEventListener('click', () => {
    media.setMicOn(!media.micOn);
    renderControls();
  });
  $('lobby-cam').addEventListener('click', async () => {
    try {
      await media.setCameraOn(!(media.cameraOn && media.hasCamera()));
    } catch (err) {
      notify($('notices'), t('deviceFailed', { reason: errorText(err) }));
    }
    renderControls();
  });
  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (state.call) return;
    const name = $('name').value.trim();
    localStorage.setItem(NAME_KEY, name);
    setPassword($('room-password-input').value);
    joinCall(name).catch((err) => showJoinProblem('joinFailed', { reason: err?.message ?? String(err) }));
  });
  await opening;
  renderStatus();
  renderControls();
}

function wireHeader() {
  wireInvite(`${location.origin}/${room}`);
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
  const opening = state.media.open();
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
  // Join does not wait for the device lists: enumerating devices took 20-40 ms of a call's setup, and joining
  // needs none of it (the selects are filled a moment later, in the lobby or in the call's devices panel).
  $('join').disabled = false;
  await fillDevices();
}

main().catch((e) => {
  $('status').textContent = t('peerError', { reason: e?.message ?? String(e) });
});
