// ICE servers for calls, from our own server: its STUN responder, any extra STUN servers, and TURN with credentials
// that expire. PeerJS reads peer.options.config each time it creates an RTCPeerConnection (on peer.call and on
// call.answer), so refreshing that object just before a call is enough for the call to use fresh credentials.

const NONE = { iceServers: [] };
// Calls that start together (a newcomer answers every member at once) share one request instead of one each.
const SHARE_MS = 10_000;
// A call keeps its TURN allocation only while the credentials it started with live, so a call starts with credentials
// that have at least 90 % of their life left (54 min of an hour): fetched in the lobby, they are still good when the
// first member calls, without a request on the way (about 70 ms of call setup).
const FRESH_PART = 0.1;
let last = null; // { config, fetchedAt, expiresAt } in ms since the epoch
let inflight = null;

/** Fetches GET /api/ice and turns it into an RTCConfiguration. Throws when the server does not answer 200. */
export async function fetchIceServers() {
  const res = await fetch('/api/ice', { cache: 'no-store', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`/api/ice answered ${res.status}`);
  const body = await res.json();
  const iceServers = [];
  // The built-in responder listens on the host this page came from; the server sends only its port, so it never
  // has to trust a Host header to build the URL.
  if (body.stunPort) iceServers.push({ urls: `stun:${location.hostname}:${body.stunPort}` });
  for (const s of body.iceServers ?? []) iceServers.push(s);
  const ttl = Number(body.ttl) || 3600;
  return {
    config: { iceServers, iceTransportPolicy: body.iceTransportPolicy === 'relay' ? 'relay' : 'all' },
    ttl,
  };
}

function load() {
  inflight ??= fetchIceServers()
    .then(({ config, ttl }) => {
      const now = Date.now();
      last = { config, fetchedAt: now, expiresAt: now + ttl * 1000 };
      return config;
    })
    .finally(() => { inflight = null; });
  return inflight;
}

/** What is left of the last answer when the server cannot be asked: TURN entries only while their credentials live. */
function fallback() {
  if (!last) return NONE;
  if (Date.now() < last.expiresAt) return last.config;
  return { ...last.config, iceServers: last.config.iceServers.filter((s) => !s.credential) };
}

/**
 * The configuration for the next call. With fresh, credentials are fetched now unless the last answer has at least 90 %
 * of their life left (or came in the last few seconds); without (the default), or when the answer holds no credentials,
 * any answer with half of its life left is reused. If the server cannot be asked, the last answer (or none: LAN host candidates) is used.
 */
export async function iceConfig({ fresh = false } = {}) {
  const now = Date.now();
  if (last) {
    const age = now - last.fetchedAt;
    const life = last.expiresAt - last.fetchedAt;
    // Only TURN credentials age: a configuration without them is as good as new until the server's TTL runs half out.
    const ages = last.config.iceServers.some((server) => server.credential);
    const reuseFor = fresh && ages ? Math.max(SHARE_MS, life * FRESH_PART) : life / 2;
    if (age < reuseFor) return last.config;
  }
  try {
    return await load();
  } catch (e) {
    console.warn('webcall: could not fetch ICE servers', e);
    return fallback();
  }
}

/** Puts freshly fetched ICE servers on the peer before it starts or answers a call. */
export async function refreshIce(peer) {
  peer.options.config = await iceConfig({ fresh: true });
}

// A connection still not up after this long will not come up: ICE gives up on failing checks well before.
const CONNECT_WITHIN_MS = 30_000;

/**
 * Calls onFailed(peerId) once if the call's connection cannot be made: ICE reports failure, gathering ended without a
 * single local candidate (e.g. relay-only and the TURN server refused our credentials: ICE would then wait forever in
 * "new"), or it is not connected within 30 s.
 */
export function watchIce(call, onFailed) {
  const pc = call?.peerConnection;
  if (!pc) return;
  let told = false;
  let candidates = 0;
  const fail = () => {
    if (told) return;
    told = true;
    clearTimeout(timer);
    onFailed(call.peer);
  };
  const timer = setTimeout(() => {
    if (pc.connectionState !== 'connected' && pc.connectionState !== 'closed') fail();
  }, CONNECT_WITHIN_MS);
  const check = () => {
    if (told) return;
    if (pc.connectionState === 'connected' || pc.connectionState === 'closed') {
      clearTimeout(timer);
    } else if (pc.connectionState === 'failed' || pc.iceConnectionState === 'failed') {
      fail();
    } else if (pc.iceGatheringState === 'complete' && candidates === 0
        && !/a=candidate:/.test(pc.localDescription?.sdp ?? '')) {
      fail();
    }
  };
  pc.addEventListener('icecandidate', (e) => { if (e.candidate) candidates += 1; });
  pc.addEventListener('connectionstatechange', check);
  pc.addEventListener('iceconnectionstatechange', check);
  pc.addEventListener('icegatheringstatechange', check);
  check();
}
