// Scenario 4: call setup in headless Chromium (Debian's /usr/bin/chromium through playwright-core; never downloads a
// browser). Time from the last page's navigation until every page plays every remote video.
import http from 'node:http';
import { chromium } from 'playwright-core';
import { sleep } from './stats.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required',
];

// Runs inside a page: resolves with Date.now() once `count` remote videos (matched by `selector`, skipping the first
// `skip`) have videoWidth > 0 and a currentTime that has advanced since it was first seen, or null at the deadline.
const WAIT_PLAYING = ({ selector, skip, count, timeoutMs }) => new Promise(resolve => {
  const first = new Map();
  const deadline = Date.now() + timeoutMs;
  const iv = setInterval(() => {
    const vids = Array.from(document.querySelectorAll(selector)).slice(skip);
    let playing = 0;
    for (const v of vids) {
      if (v.videoWidth > 0 && v.currentTime > 0) {
        if (!first.has(v)) first.set(v, v.currentTime);
        else if (v.currentTime > first.get(v)) playing++;
      }
    }
    if (playing >= count) { clearInterval(iv); resolve(Date.now()); }
    else if (Date.now() > deadline) { clearInterval(iv); resolve(null); }
  }, 10);
});

const FLOOR_HTML = `<!doctype html><meta charset="utf-8"><title>floor</title><body><div id="g"></div>
<script>
// The floor: n participants fully meshed with plain RTCPeerConnections inside one page (no signaling server).
window.runFloor = async (n) => {
  const streams = [];
  for (let i = 0; i < n; i++) streams.push(await navigator.mediaDevices.getUserMedia({ video: true, audio: true }));
  const g = document.getElementById('g');
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) {
    const pa = new RTCPeerConnection({ iceServers: [] }), pb = new RTCPeerConnection({ iceServers: [] });
    pa.onicecandidate = e => e.candidate && pb.addIceCandidate(e.candidate);
    pb.onicecandidate = e => e.candidate && pa.addIceCandidate(e.candidate);
    for (const [pc, s] of [[pa, streams[a]], [pb, streams[b]]]) {
      s.getTracks().forEach(t => pc.addTrack(t, s));
      pc.ontrack = e => { if (pc._v) return; const v = document.createElement('video'); pc._v = v; v.className = 'remote'; v.muted = true; v.autoplay = true; v.srcObject = e.streams[0]; g.append(v); v.play().catch(() => {}); };
    }
    const offer = await pa.createOffer(); await pa.setLocalDescription(offer); await pb.setRemoteDescription(offer);
    const answer = await pb.createAnswer(); await pb.setLocalDescription(answer); await pa.setRemoteDescription(answer);
  }
};
</script>`;

export function startFloorServer() {
  return new Promise(resolve => {
    const srv = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(FLOOR_HTML); });
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

async function withBrowser(fn) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try { return await fn(browser); } finally { await browser.close().catch(() => {}); }
}

/** One call of n pages on a server. kind: 'webcall' | 'node'. Returns ms or null (timeout). */
export async function callSetup(kind, base, n, timeoutMs) {
  const room = 'bench' + Math.random().toString(36).slice(2, 10);
  const url = `${base}/${room}`;
  const wait = kind === 'webcall'
    ? { selector: 'figure.tile.remote[data-peer] video', skip: 0, count: n - 1, timeoutMs }
    : { selector: '#video-grid video', skip: 1, count: n - 1, timeoutMs };
  return withBrowser(async browser => {
    const pages = [];
    for (let i = 0; i < n; i++) pages.push(await (await browser.newContext()).newPage());
    // the first n-1 join and settle
    for (let i = 0; i < n - 1; i++) await pages[i].goto(url, { waitUntil: 'load' });
    if (n > 2) {
      const pre = pages.slice(0, n - 1).map(p => p.evaluate(WAIT_PLAYING, { ...wait, count: n - 2 }));
      await Promise.all(pre);
    }
    await sleep(1000);
    const waits = pages.slice(0, n - 1).map(p => p.evaluate(WAIT_PLAYING, wait));
    const t0 = Date.now();
    await pages[n - 1].goto(url, { waitUntil: 'commit' });
    waits.push(pages[n - 1].evaluate(WAIT_PLAYING, wait));
    const ends = await Promise.all(waits);
    if (ends.some(e => e === null)) return null;
    return Math.max(...ends) - t0;
  });
}

export async function floorSetup(floorBase, n, timeoutMs) {
  return withBrowser(async browser => {
    const page = await (await browser.newContext()).newPage();
    const t0 = Date.now();
    await page.goto(floorBase, { waitUntil: 'commit' });
    await page.waitForFunction(() => typeof window.runFloor === 'function');
    const waiting = page.evaluate(WAIT_PLAYING, { selector: 'video.remote', skip: 0, count: n * (n - 1), timeoutMs });
    await page.evaluate(n => { window.runFloor(n); }, n);
    const end = await waiting;
    return end === null ? null : end - t0;
  });
}
