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
      tile.append(video, avatar, caption, badge, this.tools(id, tile, video));
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
        this.speaking?.watch(id, levels ?? stream, (on) => {
          tile.classList.toggle('speaking', on);
          if (on) this.onSpeaking?.(id);
        });
      }
    }
    return tile;
  }

  /** Name, mute and camera state as the others announced them (or as we set them for our own tile). */
  setProfile(id, { name, muted, cameraOff, sharing }) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    const label = name || t('guest');
    tile.querySelector('.name').textContent = label;
    tile.querySelector('.avatar').textContent = initials(label);
    tile.querySelector('.mic-off').textContent = `· ${t('mutedState')}`;
    tile.classList.toggle('muted', !!muted);
    tile.classList.toggle('camera-off', !!cameraOff && !sharing);
    tile.classList.toggle('sharing', !!sharing);
    tile.setAttribute('aria-label', label);
    const tools = tile.querySelector('.tile-tools');
    tools.querySelector('.spot').setAttribute('aria-label', t('spotlightOf', { name: label }));
    tools.querySelector('.full').setAttribute('aria-label', t('fullscreenOf', { name: label }));
    tools.querySelector('.pip').setAttribute('aria-label', t('pipOf', { name: label }));
    for (const b of tools.querySelectorAll('button')) b.title = b.getAttribute('aria-label');
  }

  /** Spotlight, full screen and picture-in-picture buttons of a tile: icon buttons named by setProfile. */
  tools(id, tile, video) {
    const tools = document.createElement('div');
    tools.className = 'tile-tools';
    const spot = toolButton('spot', 'M4 4h16v11H4zM4 19h4M10 19h4M16 19h4');
    spot.setAttribute('aria-pressed', 'false');
    spot.addEventListener('click', () => this.onSpotlight?.(this.grid.dataset.spotlight === id ? null : id));
    const full = toolButton('full', 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5');
    full.addEventListener('click', () => {
      if (document.fullscreenElement === tile) document.exitFullscreen().catch(() => {});
      else tile.requestFullscreen?.().catch(() => {});
    });
    const pip = toolButton('pip', 'M3 5h18v14H3zM12 12h7v5h-7z');
    pip.hidden = !document.pictureInPictureEnabled;
    pip.addEventListener('click', () => {
      if (document.pictureInPictureElement === video) document.exitPictureInPicture().catch(() => {});
      else video.requestPictureInPicture?.().catch(() => {});
    });
    tools.append(spot, full, pip);
    for (const b of [spot, full, pip]) b.setAttribute('aria-label', b.className);
    return tools;
  }

  /** One tile large and the others in a strip (id null: back to the grid); data-spotlight on the grid tells which. */
  spotlight(id) {
    const target = id && this.tiles.get(id) ? id : null;
    if (target) this.grid.dataset.spotlight = target;
    else delete this.grid.dataset.spotlight;
    for (const [key, tile] of this.tiles) {
      const on = key === target;
      tile.classList.toggle('spotlit', on);
      tile.querySelector('.spot').setAttribute('aria-pressed', String(on));
    }
    this.layout();
  }

  /**
   * The connection's grade ('good', 'fair', 'poor') on a remote tile, as data-quality, a labelled button and a
   * popover with the figures (sample, from quality.js).
   */
  setQuality(id, grade, sample) {
    const tile = this.tiles.get(id);
    if (!tile || !grade || tile.classList.contains('local')) return;
    let button = tile.querySelector('.quality');
    let details = tile.querySelector('.quality-details');
    if (!button) {
      details = document.createElement('div');
      details.className = 'quality-details';
      details.id = `quality-${id}`;
      details.popover = 'auto';
      button = document.createElement('button');
      button.type = 'button';
      button.className = 'quality';
      button.setAttribute('popovertarget', details.id);
      for (let i = 0; i < 3; i++) button.append(Object.assign(document.createElement('span'), { className: 'level' }));
      // The figures are written when the popover opens and while it is open: no DOM churn every round otherwise.
      details.addEventListener('beforetoggle', (e) => {
        if (e.newState === 'open') this.fillQuality(details, tile.dataset.quality, tile.qualitySample);
      });
      tile.append(button, details);
    }
    tile.qualitySample = sample;
    const label = qualityLabel(grade);
    if (tile.dataset.quality !== grade || button.getAttribute('aria-label') !== label) {
      tile.dataset.quality = grade;
      button.setAttribute('aria-label', label);
      button.title = label;
    }
    if (details.matches(':popover-open')) this.fillQuality(details, grade, sample);
  }

  fillQuality(details, grade, sample) {
    if (!sample) return;
    const label = qualityLabel(grade);
    const figure = (value, unit, digits = 0) => (Number.isFinite(value) ? `${value.toFixed(digits)} ${unit}` : '–');
    const rows = [
      [t('roundTrip'), figure(sample.rttMs, 'ms')],
      [t('packetLoss'), figure(sample.lossPct, '%', 1)],
      [t('jitter'), figure(sample.jitterMs, 'ms')],
      [t('received'), figure(sample.kbps, 'kbit/s')],
      [t('sent'), figure(sample.sentKbps, 'kbit/s')],
    ];
    const title = document.createElement('p');
    title.className = 'quality-title';
    title.textContent = label;
    const list = document.createElement('dl');
    for (const [term, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      list.append(dt, dd);
    }
    details.replaceChildren(title, list);
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
    const badge = tile?.querySelector('.badge');
    if (badge && badge.textContent !== text) badge.textContent = text;
  }

  remove(id) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    if (this.grid.dataset.spotlight === id) this.spotlight(null);
    if (document.pictureInPictureElement === tile.querySelector('video')) document.exitPictureInPicture().catch(() => {});
    this.speaking?.unwatch(id);
    tile.querySelector('video').srcObject = null;
    tile.remove();
    this.tiles.delete(id);
    this.layout();
  }

  layout() {
    this.grid.dataset.count = String(this.tiles.size);
    // The strip under a spotlighted tile has a column for each of the others (CSSOM, which the CSP allows).
    this.grid.style.setProperty('--others', String(Math.max(1, this.tiles.size - 1)));
    this.grid.classList.toggle('alone', this.tiles.size < 2);
  }

  clear() {
    for (const id of [...this.tiles.keys()]) this.remove(id);
  }
}

function qualityLabel(grade) {
  const names = { good: t('qualityGood'), fair: t('qualityFair'), poor: t('qualityPoor') };
  return t('qualityOf', { quality: names[grade] });
}

function toolButton(className, path) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('icon');
  const d = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  d.setAttribute('d', path);
  svg.append(d);
  button.append(svg);
  return button;
}

function initials(name) {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => [...p][0]).join('').toUpperCase() || '?';
}
