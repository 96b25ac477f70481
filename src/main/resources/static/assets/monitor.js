// Every few seconds, for each connection: its figures and grade for the tile (quality.js), and the cap on what we
// send it (governor.js), re-applied as people come and go or start sharing. One timer per call, stopped on leave.
import { applyCap, uploadStarved, videoCap } from './governor.js';
import { classify, sampleBetween } from './quality.js';
import { state } from './state.js';

const PERIOD_MS = 2000;
const STARVED_ROUNDS = 5; // ~10 s far under the cap before we say so: not for a passing dip

export class Monitor {
  /** onStarved(true/false): whether our upload has stayed far under what the governor allows. */
  constructor({ calls, tiles, budgetKbps, onStarved }) {
    this.calls = calls;
    this.tiles = tiles;
    this.budgetKbps = budgetKbps;
    this.onStarved = onStarved;
    this.reports = new Map(); // PeerJS id -> the previous getStats() report, as an array
    this.starvedRounds = 0;
    this.busy = false;
    this.timer = setInterval(() => this.tick(), PERIOD_MS);
  }

  /** What each connection's video may take now. */
  cap() {
    return videoCap({
      budgetKbps: this.budgetKbps,
      members: this.calls.calls.size,
      screen: state.me.sharing,
      othersShare: [...state.profiles.values()].some((p) => p.sharing),
    });
  }

  /** Applies the current cap to every connection at once (someone came, left, or started or stopped sharing). */
  govern() {
    const cap = this.cap();
    for (const call of this.calls.calls.values()) {
      if (call.peerConnection) applyCap(call.peerConnection, cap).catch(() => {});
    }
  }

  async tick() {
    if (this.busy) return; // a slow getStats on a busy machine: skip a round rather than pile them up
    this.busy = true;
    try {
      const cap = this.cap();
      let starved = false;
      for (const [id, call] of [...this.calls.calls]) {
        const pc = call.peerConnection;
        if (!pc || pc.connectionState !== 'connected') continue;
        await applyCap(pc, cap).catch(() => {});
        const stats = [...(await pc.getStats()).values()];
        const sample = sampleBetween(this.reports.get(id), stats);
        this.reports.set(id, stats);
        const profile = state.profiles.get(id);
        sample.videoExpected = !!profile && (!profile.cameraOff || !!profile.sharing);
        this.tiles.setQuality(id, classify(sample), sample);
        if (uploadStarved(sample, cap)) starved = true;
      }
      for (const id of this.reports.keys()) if (!this.calls.calls.has(id)) this.reports.delete(id);
      this.starvedRounds = starved ? this.starvedRounds + 1 : 0;
      this.onStarved?.(this.starvedRounds >= STARVED_ROUNDS);
    } finally {
      this.busy = false;
    }
  }

  close() {
    clearInterval(this.timer);
    this.reports.clear();
  }
}
