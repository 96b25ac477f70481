// Who is speaking: the level of each audio stream, sampled a few times a second.
const THRESHOLD = 0.035;
const HOLD_MS = 600;

export class SpeakingMeter {
  constructor(context) {
    this.context = context;
    this.watched = new Map();
    this.timer = setInterval(() => this.sample(), 200);
  }

  watch(id, stream, onChange) {
    this.unwatch(id);
    if (!this.context) return;
    try {
      const source = this.context.createMediaStreamSource(stream);
      const analyser = this.context.createAnalyser();
      analyser.fftSize = 512;
      source.connect(analyser);
      this.watched.set(id, { source, analyser, onChange, data: new Uint8Array(analyser.fftSize), on: false, lastLoud: 0 });
    } catch { /* a stream without usable audio: no indicator */ }
  }

  unwatch(id) {
    const w = this.watched.get(id);
    if (!w) return;
    w.source.disconnect();
    this.watched.delete(id);
  }

  sample() {
    const now = performance.now();
    for (const w of this.watched.values()) {
      w.analyser.getByteTimeDomainData(w.data);
      let sum = 0;
      for (const v of w.data) sum += ((v - 128) / 128) ** 2;
      if (Math.sqrt(sum / w.data.length) > THRESHOLD) w.lastLoud = now;
      const on = now - w.lastLoud < HOLD_MS;
      if (on !== w.on) {
        w.on = on;
        w.onChange(on);
      }
    }
  }
}
