// Scenario 4: call setup in headless Chromium (Debian's /usr/bin/chromium through playwright-core; never downloads a
// browser). Time from the last page's navigation until every page plays every remote video.
import http from 'node:http';
import { chromium } from 'playwright-core';
import { sleep } from './stats.mjs';

// The flags of src/test/java/webcall/e2e/Browser.java; Playwright adds headless mode and a fresh profile directory.
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--mute-audio',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required',
  '--window-size=1280,800',
];

// Added to every page before its own scripts: remembers each track that arrives over an RTCPeerConnection, so a
// <video> counts as remote when it shows one of them, whatever the page's markup (webcall's tiles, the reference's
// grid, the floor page). It also notes when the page first reaches each step of a call (ms since navigation), which
// shows where the time of a slow call setup goes.
const COUNT_REMOTE_TRACKS = () => {
  const T = {};
  const W = {}; // the same steps in wall-clock ms, to put every page of a call on one time line
  const mark = name => { if (!(name in T)) { T[name] = Math.round(performance.now()); W[name] = Date.now(); } };
  window.__benchTimeline = T;
  window.__benchWall = W;
  window.__benchMark = mark;
  const remote = new WeakSet();
  window.__benchIsRemote = t => remote.has(t);
  const gum = navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (gum) {
    navigator.mediaDevices.getUserMedia = function (...args) {
      mark('getUserMedia');
      return gum.apply(this, args).then(s => { mark('getUserMedia done'); return s; });
    };
  }
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(url, ...rest) {
      super(url, ...rest);
      const kind = String(url).includes('/socket.io/') ? 'socket.io' : 'peerjs';
      mark(`${kind} websocket`);
      this.addEventListener('open', () => mark(`${kind} websocket open`));
      // the signaling messages of a call, each the first time it is sent or received: where the server takes part
      this.addEventListener('message', e => { const m = signal(e.data); if (m) mark(`${kind} ${m} received`); });
    }
    send(data) {
      const m = signal(data);
      if (m) mark(`${String(this.url).includes('/socket.io/') ? 'socket.io' : 'peerjs'} ${m} sent`);
      return super.send(data);
    }
  };
  // a PeerJS message type or a Socket.IO event name, without parsing the whole message
  const signal = data => {
    if (typeof data !== 'string') return null;
    const m = data.match(/"type":"(OFFER|ANSWER|CANDIDATE|OPEN)"|^42\d*\["(join-room|user-connected)"/);
    return m && (m[1] || m[2]);
  };
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    if (String(url).includes('/socket.io/')) {
      mark('socket.io polling');
      // long-polling carries several packets per request, separated by 0x1e
      this.addEventListener('load', () => String(this.responseText).split('\x1e')
        .forEach(p => { const m = signal(p); if (m) mark(`socket.io ${m} received`); }));
      this.__benchSocketIo = true;
    }
    return open.call(this, method, url, ...rest);
  };
  const xhrSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    if (this.__benchSocketIo && typeof body === 'string') {
      body.split('\x1e').forEach(p => { const m = signal(p); if (m) mark(`socket.io ${m} sent`); });
    }
    return xhrSend.call(this, body);
  };
  // webcall's page has a lobby: join as soon as #join is usable, as a user who clicks at once would. (An in-page click:
  // a click sent through the browser's automation protocol lands ~100 ms later on this machine, which would count
  // against the page.) Pages without #join never see a click.
  const started = Date.now();
  const joiner = setInterval(() => {
    const j = document.querySelector('#join');
    if (j && !j.disabled && j.offsetParent !== null) {
      clearInterval(joiner);
      mark('join enabled');
      j.click();
    } else if (Date.now() - started > 30000) clearInterval(joiner);
  }, 5);
  const Orig = window.RTCPeerConnection;
  if (!Orig) return;
  class Counted extends Orig {
    constructor(...args) {
      super(...args);
      mark('RTCPeerConnection');
      this.addEventListener('track', e => { mark('remote track'); remote.add(e.track); });
      this.addEventListener('connectionstatechange', () => { if (this.connectionState === 'connected') mark('peer connected'); });
    }
  }
  window.RTCPeerConnection = Counted;
};

// Runs inside a page: resolves with Date.now() once `count` videos that show a remote video track have
// videoWidth > 0 and a currentTime that has advanced since it was first seen, or null at the deadline.
const WAIT_PLAYING = ({ count, timeoutMs }) => new Promise(resolve => {
  const first = new Map();
  const deadline = Date.now() + timeoutMs;
  const iv = setInterval(() => {
    let playing = 0;
    for (const v of document.querySelectorAll('video')) {
      const s = v.srcObject;
      if (!(s instanceof MediaStream) || !s.getVideoTracks().some(t => window.__benchIsRemote(t))) continue;
      if (v.videoWidth > 0 && v.currentTime > 0) {
        if (!first.has(v)) first.set(v, v.currentTime);
        else if (v.currentTime > first.get(v)) playing++;
      }
    }
    if (playing >= count) { clearInterval(iv); window.__benchMark('all remote videos playing'); resolve(Date.now()); }
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

async function newPage(browser) {
  const page = await (await browser.newContext()).newPage();
  await page.addInitScript(COUNT_REMOTE_TRACKS);
  return page;
}

/** Opens the call page; the init script above clicks webcall's #join when it appears. */
async function openCall(page, url, waitUntil) {
  await page.goto(url, { waitUntil });
}

/** One call of n pages on a server. Returns ms from the last page's navigation until every page plays every remote
 * video, or null (timeout). */
export async function callSetup(base, n, timeoutMs) {
  const url = `${base}/bench${Math.random().toString(36).slice(2, 10)}`;
  return withBrowser(async browser => {
    const pages = [];
    for (let i = 0; i < n; i++) pages.push(await newPage(browser));
    // the first n-1 join and settle
    for (let i = 0; i < n - 1; i++) await openCall(pages[i], url, 'load');
    if (n > 2) {
      const pre = await Promise.all(pages.slice(0, n - 1).map(p => p.evaluate(WAIT_PLAYING, { count: n - 2, timeoutMs })));
      if (pre.some(e => e === null)) return null;
    }
    await sleep(1000);
    const waits = pages.slice(0, n - 1).map(p => p.evaluate(WAIT_PLAYING, { count: n - 1, timeoutMs }));
    const t0 = Date.now();
    await openCall(pages[n - 1], url, 'commit');
    waits.push(pages[n - 1].evaluate(WAIT_PLAYING, { count: n - 1, timeoutMs }));
    const ends = await Promise.all(waits);
    const timeline = await pages[n - 1].evaluate(() => window.__benchTimeline).catch(() => null);
    // every page's steps in ms since the last page's navigation began; page n is the newcomer
    const pageSteps = await Promise.all(pages.map(p => p.evaluate(() => window.__benchWall).catch(() => ({}))));
    const steps = pageSteps.flatMap((w, i) => Object.entries(w).filter(([, at]) => at >= t0).map(([name, at]) => [at - t0, i + 1, name]))
      .sort((a, b) => a[0] - b[0]);
    // a call that did not come up is null, with what each page got to, to see where it stopped
    return ends.some(e => e === null) ? { ms: null, timeline, steps } : { ms: Math.max(...ends) - t0, timeline, steps };
  });
}

/** The floor: n participants meshed with plain RTCPeerConnections inside one page, from navigation to playing. */
export async function floorSetup(floorBase, n, timeoutMs) {
  return withBrowser(async browser => {
    const page = await newPage(browser);
    const t0 = Date.now();
    await page.goto(floorBase, { waitUntil: 'commit' });
    await page.waitForFunction(() => typeof window.runFloor === 'function');
    const waiting = page.evaluate(WAIT_PLAYING, { count: n * (n - 1), timeoutMs });
    await page.evaluate(n => { window.runFloor(n); }, n);
    const end = await waiting;
    if (end === null) return null;
    return { ms: end - t0, timeline: await page.evaluate(() => window.__benchTimeline) };
  });
}
