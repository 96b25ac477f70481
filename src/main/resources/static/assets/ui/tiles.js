// The video grid: one tile per participant, keyed by PeerJS id, never two for the same id.
import { t } from '../i18n.js';

export class Tiles {
  constructor(grid) {
    this.grid = grid;
    this.tiles = new Map();
  }

  /** Shows a stream (or, with null, an empty tile) for id, creating the tile once. */
  show(id, stream, { local = false, label } = {}) {
    let tile = this.tiles.get(id);
    if (!tile) {
      tile = document.createElement('figure');
      tile.className = local ? 'tile local' : 'tile remote';
      tile.dataset.peer = id;
      const video = document.createElement('video');
      video.autoplay = true;
      video.playsInline = true;
      video.muted = local; // never play our own microphone back
      const caption = document.createElement('figcaption');
      const badge = document.createElement('span');
      badge.className = 'badge';
      tile.append(video, caption, badge);
      if (local) this.grid.prepend(tile); else this.grid.append(tile);
      this.tiles.set(id, tile);
    }
    tile.querySelector('figcaption').textContent = label ?? t('participant');
    const video = tile.querySelector('video');
    if (stream && video.srcObject !== stream) {
      video.srcObject = stream;
      this.play(tile, video);
    }
    return tile;
  }

  /** Plays the video; where autoplay with sound is refused, plays muted and offers a button to hear it. */
  play(tile, video) {
    if (!video.srcObject) return;
    video.play().catch(() => {
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

  /** A short state on the tile ('' to clear): e.g. that its connection failed. */
  setBadge(id, text) {
    const tile = this.tiles.get(id);
    if (tile) tile.querySelector('.badge').textContent = text;
  }

  remove(id) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    const video = tile.querySelector('video');
    video.srcObject = null;
    tile.remove();
    this.tiles.delete(id);
  }

  has(id) {
    return this.tiles.has(id);
  }

  remoteCount() {
    return [...this.tiles.values()].filter((tile) => !tile.classList.contains('local')).length;
  }
}
