// The local camera and microphone: take what the browser gives and say plainly what is missing.

/**
 * Asks for camera and microphone, falling back to one of them, then to none.
 * Resolves to { stream, problem } where problem is an i18n key or null; stream is null when nothing could be had.
 */
export async function getLocalMedia(constraints = { video: true, audio: true }) {
  if (!window.isSecureContext) return { stream: null, problem: 'insecure' };
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, problem: 'noMediaApi' };
  let first;
  try {
    return { stream: await navigator.mediaDevices.getUserMedia(constraints), problem: null };
  } catch (e) {
    first = e;
  }
  if (first.name === 'NotAllowedError' || first.name === 'SecurityError') {
    return { stream: null, problem: 'denied' };
  }
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ audio: constraints.audio }), problem: 'noCamera' };
  } catch { /* try the camera alone next */ }
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ video: constraints.video }), problem: 'noMic' };
  } catch { /* nothing usable */ }
  return { stream: null, problem: first.name === 'NotReadableError' ? 'mediaBusy' : 'noDevices' };
}
