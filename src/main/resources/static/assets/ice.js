// ICE servers for calls, from our own server: its STUN responder, any extra STUN servers, and TURN with credentials
// that expire. PeerJS reads peer.options.config each time it creates an RTCPeerConnection (on peer.call and on
// call.answer), so refreshing that object before a call is enough for the call to use fresh credentials.

const NONE = { iceServers: [] };
let cached = null; // { config, refreshAt } in ms since the epoch

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

/**
 * The configuration for the next call: cached while its credentials have a good part of their life left, fetched
 * again after. If the server cannot be asked, the last one (or none: LAN host candidates) is used.
 */
export async function iceConfig() {
  if (cached && Date.now() < cached.refreshAt) return cached.config;
  try {
    const { config, ttl } = await fetchIceServers();
    // Refresh halfway through, and at most 5 minutes before expiry, so a call never starts on a dying credential.
    const margin = Math.min(ttl / 2, 300);
    cached = { config, refreshAt: Date.now() + (ttl - margin) * 1000 };
    return config;
  } catch (e) {
    console.warn('webcall: could not fetch ICE servers', e);
    return cached?.config ?? NONE;
  }
}

/** Puts current ICE servers on the peer before it starts or answers a call. */
export async function refreshIce(peer) {
  peer.options.config = await iceConfig();
}

/** Calls onFailed once if the call's connection fails (e.g. no TURN server would relay it). */
export function watchIce(call, onFailed) {
  const pc = call?.peerConnection;
  if (!pc) return;
  let told = false;
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed' && !told) {
      told = true;
      onFailed(call.peer);
    }
  });
}
