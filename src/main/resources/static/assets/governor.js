// The bandwidth governor: what this page sends to each of the others, from its upload budget and how many they are.
// In a mesh every member gets its own copy, so the budget is shared. Audio is reserved first and never capped
// (speech matters more than pictures); video gets the rest. A shared screen keeps its resolution and gives up frame
// rate instead: text must stay readable, slides rarely move.

export const AUDIO_KBPS = 64; // Opus speech with headroom; reserved per member, never squeezed
export const MIN_VIDEO_KBPS = 60; // below this a camera is a slideshow anyway; also the floor when the budget is tiny
export const MIN_SCREEN_KBPS = 150;
export const SCREEN_FPS = 8; // detail over frame rate
// A camera's resolution steps down as its bitrate falls, so the bits go to sharpness rather than to more pixels.
const SCALE_STEPS = [[600, 1], [250, 2], [0, 4]]; // [at least kbps, scaleResolutionDownBy], for a 640x480 camera
// While someone else shares, cameras give way to the screen the others are looking at.
const CAMERA_SHARE_WHILE_OTHERS_SHOW = 0.5;

/**
 * The limits for each outgoing video, from {budgetKbps, members (the others in the call), screen (we share our
 * screen), othersShare (someone else shares)}: {maxKbps, scale, screen, maxFramerate}.
 */
export function videoCap({ budgetKbps, members, screen = false, othersShare = false }) {
  const n = Math.max(1, members);
  const perMember = (budgetKbps - n * AUDIO_KBPS) / n;
  if (screen) {
    return { maxKbps: Math.floor(Math.max(MIN_SCREEN_KBPS, perMember)), scale: 1, screen: true, maxFramerate: SCREEN_FPS };
  }
  const share = othersShare ? perMember * CAMERA_SHARE_WHILE_OTHERS_SHOW : perMember;
  const maxKbps = Math.floor(Math.max(MIN_VIDEO_KBPS, share));
  const [, scale] = SCALE_STEPS.find(([atLeast]) => maxKbps >= atLeast);
  return { maxKbps, scale, screen: false, maxFramerate: null };
}

/**
 * True when what we send stays far under the cap because the network will not carry more: the browser says its
 * video is limited by bandwidth, and its estimate of the path, when it has one, is under half the cap. A still
 * picture, a busy CPU or an estimate that is still ramping up on a fast path are not that.
 */
export function uploadStarved(sample, cap) {
  if (!sample || !cap || !Number.isFinite(sample.videoSentKbps)) return false;
  if (sample.videoSentKbps >= cap.maxKbps / 4 || sample.limitedBy !== 'bandwidth') return false;
  return !Number.isFinite(sample.availableKbps) || sample.availableKbps < cap.maxKbps / 2;
}

/** Applies a cap to one connection's video sender; resolves to true when it changed something. */
export async function applyCap(pc, cap) {
  const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
  if (!sender) return false;
  const params = sender.getParameters();
  const [encoding] = params.encodings ?? [];
  if (!encoding) return false; // not negotiated yet: the next round applies it
  const want = {
    maxBitrate: cap.maxKbps * 1000,
    scaleResolutionDownBy: cap.scale,
    degradationPreference: cap.screen ? 'maintain-resolution' : 'balanced',
  };
  if (encoding.maxBitrate === want.maxBitrate && encoding.scaleResolutionDownBy === want.scaleResolutionDownBy
    && (encoding.maxFramerate ?? null) === cap.maxFramerate && params.degradationPreference === want.degradationPreference) {
    return false;
  }
  encoding.maxBitrate = want.maxBitrate;
  encoding.scaleResolutionDownBy = want.scaleResolutionDownBy;
  if (cap.maxFramerate) encoding.maxFramerate = cap.maxFramerate;
  else delete encoding.maxFramerate;
  params.degradationPreference = want.degradationPreference;
  try {
    await sender.setParameters(params);
  } catch {
    // Browsers that refuse degradationPreference here still take the bitrate and scale.
    delete params.degradationPreference;
    await sender.setParameters(params);
  }
  return true;
}
