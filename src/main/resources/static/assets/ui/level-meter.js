// The AudioWorklet behind our own speaking mark (see speaking.js): it sees every sample, in blocks of 512 (about
// 11 ms), and tells the page only when a block is loud, at most every 50 ms, so the page does no work in silence.
const BLOCK = 512;
const REPORT_EVERY_S = 0.05;

class LevelMeter extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.threshold = options.processorOptions.threshold;
    this.sum = 0;
    this.count = 0;
    this.reported = -Infinity;
    this.stopped = false;
    this.port.onmessage = () => { this.stopped = true; }; // the page is done with it: let it be collected
  }

  process(inputs) {
    if (this.stopped) return false;
    const channel = inputs[0]?.[0]; // a microphone is mono; without input there is nothing to measure
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) this.sum += channel[i] * channel[i];
    this.count += channel.length;
    if (this.count >= BLOCK) {
      const loud = Math.sqrt(this.sum / this.count) > this.threshold;
      this.sum = 0;
      this.count = 0;
      if (loud && currentTime - this.reported >= REPORT_EVERY_S) {
        this.reported = currentTime;
        this.port.postMessage(true);
      }
    }
    return true;
  }
}

registerProcessor('level-meter', LevelMeter);
