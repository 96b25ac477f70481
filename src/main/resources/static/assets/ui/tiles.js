// The video grid: one tile per participant, keyed by PeerJS id, never two for the same id.
import { t } from '../i18n.js';

export class Tiles {
  constructor(grid, speaking) {
    this.grid = grid;
    this.speaking = speaking;
    this.tiles = new Map();
    this.sinkId = '';
  }

  /**
   * Shows a stream (or, with null, an empty tile) for id, creating the tile once. levels: the RTCRtpReceiver of a
   * remote stream's audio, whose RTP levels then drive the speaking mark.
   */
  show(id, stream, { local = false, levels = null } = {}) {
    let tile = this.tiles.get(id);
    if (!tile) {
      tile = document.createElement('figure');
      tile.className = local ? 'tile local' : 'tile remote';
      tile.dataset.peer = id;
      const video = document.createElement('video');
      video.autoplay = true;
      video.playsInline = true;
      video.muted = local; // never play our own microphone back
      const avatar = document.createElement('div');
      avatar.className = 'avatar';
      avatar.setAttribute('aria-hidden', 'true');
      const caption = document.createElement('figcaption');
      const name = document.createElement('span');
      name.className = 'name';
      const micOff = document.createElement('span');
      micOff.className = 'mic-off';
      const badge = document.createElement('span');
      badge.className = 'badge';
      caption.append(name, micOff);
      tile.append(video, avatar, caption, badge);
      if (local) this.grid.prepend(tile); else this.grid.append(tile);
      this.tiles.set(id, tile);
      this.layout();
    }
    const video = tile.querySelector('video');
    tile.classList.toggle('no-media', !stream && !video.srcObject); // the initials until media arrives
    if (stream && video.srcObject !== stream) {
      video.srcObject = stream;
      if (!local && this.sinkId && video.setSinkId) video.setSinkId(this.sinkId).catch(() => {});
      this.play(tile, video);
      if (stream.getAudioTracks().length) {
        this.speaking?.watch(id, levels ?? stream, (on) => tile.classList.toggle('speaking', on));
      }
    }
    return tile;
  }

  /** Name, mute and camera state as the others announced them (or as we set them for our own tile). */
  setProfile(id, { name, muted, cameraOff, sharing }, fallbackName) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    const label = name || fallbackName || t('guest');
    tile.querySelector('.name').textContent = label;
    tile.querySelector('.avatar').textContent = initials(label);
    tile.querySelector('.mic-off').textContent = `· ${t('mutedState')}`;
    tile.classList.toggle('muted', !!muted);
    tile.classList.toggle('camera-off', !!cameraOff && !sharing);
    tile.classList.toggle('sharing', !!sharing);
    tile.setAttribute('aria-label', label);
  }

  /** Plays the video; where autoplay with sound is refused, plays muted and offers a button to hear it. */
  play(tile, video) {
    video.play().catch(() => {
      if (video.muted) return;
      video.muted = true;
      video.play().catch(() => {});
      if (tile.querySelector('.unmute')) return;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'unmute';
      button.textContent = t('clickToUnmute');
      button.addEventListener('click', () => {
        video.muted = false;
        video.play().catch(() => {});
        button.remove();
      });
      tile.append(button);
    });
  }

  /** Routes every remote tile's sound to a speaker, where the browser can. */
  setSink(deviceId) {
    this.sinkId = deviceId;
    for (const tile of this.tiles.values()) {
      const video = tile.querySelector('video');
      if (!tile.classList.contains('local') && video.setSinkId) video.setSinkId(deviceId).catch(() => {});
    }
  }

  setLocalStream(stream) {
    const tile = this.tiles.get('local');
    if (tile) tile.querySelector('video').srcObject = stream;
  }

  /** A short state on the tile ('' to clear): e.g. that its connection failed. */
  setBadge(id, text) {
    const tile = this.tiles.get(id);
    if (tile) tile.querySelector('.badge').textContent = text;
  }

  remove(id) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    this.speaking?.unwatch(id);
    tile.querySelector('video').srcObject = null;
    tile.remove();
    this.tiles.delete(id);
    this.layout();
  }

  layout() {
    this.grid.dataset.count = String(this.tiles.size);
  }

  clear() {
    for (const id of [...this.tiles.keys()]) this.remove(id);
  }
}

function initials(name) {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => [...p][0]).join('').toUpperCase() || '?';
}
