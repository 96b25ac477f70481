// Choosing camera, microphone and speaker, in the lobby and during the call.
import { t } from './i18n.js';
import { listDevices } from './media.js';
import { state } from './state.js';
import { notify } from './ui/notices.js';
import { $, errorText, renderControls } from './view.js';

const SELECTS = { videoinput: 'camera-select', audioinput: 'mic-select', audiooutput: 'speaker-select' };

export async function fillDevices() {
  const { media } = state;
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

export function wireDevices() {
  const { media } = state;
  for (const [kind, id] of Object.entries(SELECTS)) {
    $(id).addEventListener('change', async (e) => {
      const deviceId = e.target.value;
      try {
        if (kind === 'audiooutput') {
          media.deviceIds.audiooutput = deviceId;
          state.call?.tiles.setSink(deviceId);
        } else {
          await media.useDevice(kind, deviceId);
        }
      } catch (err) {
        notify($('notices'), t('deviceFailed', { reason: errorText(err) }));
      }
      renderControls();
    });
  }
  navigator.mediaDevices?.addEventListener?.('devicechange', () => fillDevices());
}
