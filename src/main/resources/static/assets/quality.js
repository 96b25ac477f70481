// How good a connection is, from two getStats() reports a few seconds apart. Pure functions, no page or browser
// objects, so they are tested under Node on recorded reports (src/test/js/quality.test.mjs).

// Limits of a call that feels live. Round trip: past ~300 ms people talk over each other. Loss: Opus and video
// conceal a few percent; past ~10 % speech breaks up. Jitter: the jitter buffer absorbs ~30 ms without added delay.
export const LIMITS = {
  fair: { rttMs: 300, lossPct: 3, jitterMs: 30 },
  poor: { rttMs: 600, lossPct: 10, jitterMs: 100 },
};
// A camera that is on but arrives under this is frozen or a few pixels, whatever the other figures say.
export const MIN_VIDEO_KBPS = 30;

/**
 * 'good', 'fair' or 'poor' for a sample {rttMs, lossPct, jitterMs, kbps, videoExpected}; null when it has none of
 * the figures (no packets yet). Each figure is graded alone and the worst grade wins: one bad figure is felt.
 */
export function classify(sample) {
  if (!sample) return null;
  const figures = ['rttMs', 'lossPct', 'jitterMs'].filter((k) => Number.isFinite(sample[k]));
  if (figures.length === 0) return null;
  let grade = 0; // 0 good, 1 fair, 2 poor
  for (const k of figures) {
    if (sample[k] >= LIMITS.poor[k]) grade = Math.max(grade, 2);
    else if (sample[k] >= LIMITS.fair[k]) grade = Math.max(grade, 1);
  }
  if (sample.videoExpected && Number.isFinite(sample.kbps) && sample.kbps < MIN_VIDEO_KBPS) grade = Math.max(grade, 1);
  return ['good', 'fair', 'poor'][grade];
}

/**
 * The figures between two reports of one RTCPeerConnection, each an array of its stats objects (as
 * [...report.values()]): round trip of the selected candidate pair, packets lost among those expected, the jitter
 * of the audio received (of the video when there is no audio), and the bitrates received and sent (video sent separately, with why it
 * is limited and what the path could carry, for the bandwidth governor). Figures that cannot be told (no packets, first report) are null.
 */
export function sampleBetween(before, after) {
  const prev = new Map((before ?? []).map((s) => [s.id, s]));
  const pair = selectedPair(after);
  const rttMs = Number.isFinite(pair?.currentRoundTripTime) ? pair.currentRoundTripTime * 1000 : null;
  let lost = 0;
  let received = 0;
  const jitter = { audio: null, video: null };
  let inBytes = 0;
  let outBytes = 0;
  let videoOutBytes = 0;
  let seconds = null;
  let limitedBy = null;
  for (const s of after) {
    const p = prev.get(s.id);
    if (s.type === 'inbound-rtp') {
      // Audio's jitter when there is audio: it is what people hear, and video's swings with the sender's CPU.
      if (Number.isFinite(s.jitter)) jitter[s.kind === 'audio' ? 'audio' : 'video'] = s.jitter * 1000;
      if (!p) continue;
      seconds ??= (s.timestamp - p.timestamp) / 1000;
      lost += Math.max(0, (s.packetsLost ?? 0) - (p.packetsLost ?? 0));
      received += Math.max(0, (s.packetsReceived ?? 0) - (p.packetsReceived ?? 0));
      inBytes += Math.max(0, (s.bytesReceived ?? 0) - (p.bytesReceived ?? 0));
    } else if (s.type === 'outbound-rtp' && p) {
      seconds ??= (s.timestamp - p.timestamp) / 1000;
      const sent = Math.max(0, (s.bytesSent ?? 0) - (p.bytesSent ?? 0));
      outBytes += sent;
      if (s.kind === 'video') {
        videoOutBytes += sent;
        limitedBy = s.qualityLimitationReason ?? limitedBy;
      }
    }
  }
  const rate = (bytes) => (seconds > 0 ? (bytes * 8) / 1000 / seconds : null);
  return {
    rttMs,
    lossPct: lost + received > 0 ? (100 * lost) / (lost + received) : null,
    jitterMs: jitter.audio ?? jitter.video,
    kbps: rate(inBytes),
    sentKbps: rate(outBytes),
    videoSentKbps: rate(videoOutBytes),
    limitedBy, // why the browser sends less video than it could: 'bandwidth', 'cpu', 'none' or null
    availableKbps: Number.isFinite(pair?.availableOutgoingBitrate) ? pair.availableOutgoingBitrate / 1000 : null,
  };
}

/** The candidate pair in use: the transport's selected one, else the nominated pair that succeeded. */
function selectedPair(stats) {
  const byId = new Map(stats.map((s) => [s.id, s]));
  for (const s of stats) {
    if (s.type === 'transport' && s.selectedCandidatePairId) return byId.get(s.selectedCandidatePairId);
  }
  return stats.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') ?? null;
}
