// Who is speaking. Others: the audio level WebRTC already carries in each RTP packet (RFC 6464), read from the
// receiver, so their sound is not decoded a second time for a meter. Ourselves: an AudioWorklet that looks at every
// sample of the microphone. Sampling a few milliseconds now and then misses short sounds (a syllable, a laugh).
const THRESHOLD = 0.035; // RMS level, 0..1, the same for both sources
const HOLD_MS = 600; // the mark stays this long after the last loud sound, so it does not flicker between words
// Opus sends a packet every 20 ms and the receiver keeps only the last one's level: reading it every 40 ms sees at
// least one of any two packets in a row, so no sound of 40 ms or more slips between two reads.
const POLL_MS = 40;
const WORKLET = '/assets/ui/level-meter.js'; // a file, since the page's CSP allows no other script source

export class SpeakingMeter {
  constructor(context) {
    this.context = context;
    this.watched = new Map();
    this.timer = null; // polls the RTP levels while a receiver is watched
    this.worklet = null; // the worklet module, loaded with the first stream to meter
  }

  /** Reports on(true/false) for id: source is an RTCRtpReceiver (its RTP levels) or a MediaStream (metered here). */
  watch(id, source, onChange) {
    this.unwatch(id);
    const w = { onChange, on: false, off: null, receiver: null, rtp: null, node: null, input: null };
    this.watched.set(id, w);
    if (typeof RTCRtpReceiver !== 'undefined' && source instanceof RTCRtpReceiver) {
      if (!source.getSynchronizationSources) return; // an old browser: no mark rather than a costly one
      w.receiver = source;
      this.timer ??= setInterval(() => this.poll(), POLL_MS);
    } else {
      this.meter(id, w, source).catch(() => { /* no worklet or no usable audio: no mark */ });
    }
  }

  unwatch(id) {
    const w = this.watched.get(id);
    if (!w) return;
    this.watched.delete(id);
    clearTimeout(w.off);
    if (w.on) w.onChange(false); // e.g. a new microphone: its own meter decides
    if (w.node) {
      w.node.port.onmessage = null;
      w.node.port.postMessage('stop');
    }
    w.input?.disconnect();
    w.node?.disconnect();
    if (this.timer && ![...this.watched.values()].some((x) => x.receiver)) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Stops every meter (the call is left). */
  close() {
    for (const id of [...this.watched.keys()]) this.unwatch(id);
  }

  async meter(id, w, stream) {
    if (!this.context?.audioWorklet) return;
    this.worklet ??= this.context.audioWorklet.addModule(WORKLET);
    await this.worklet;
    if (this.watched.get(id) !== w) return; // unwatched while the module loaded
    w.input = this.context.createMediaStreamSource(stream);
    // No outputs: the browser still runs it, and nothing reaches the speakers.
    w.node = new AudioWorkletNode(this.context, 'level-meter', {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      processorOptions: { threshold: THRESHOLD },
    });
    w.node.port.onmessage = () => this.loud(w); // it only speaks up for loud sound
    w.input.connect(w.node);
  }

  poll() {
    for (const w of this.watched.values()) {
      if (!w.receiver) continue;
      // One source per remote sender; a packet read before counts once, so a stopped stream does not stay lit.
      for (const s of w.receiver.getSynchronizationSources()) {
        if (s.rtpTimestamp === w.rtp) continue;
        w.rtp = s.rtpTimestamp;
        if (s.audioLevel > THRESHOLD) this.loud(w);
      }
    }
  }

  /** Marks w as speaking until HOLD_MS pass without another loud sound. */
  loud(w) {
    clearTimeout(w.off);
    w.off = setTimeout(() => {
      w.on = false;
      w.onChange(false);
    }, HOLD_MS);
    if (w.on) return;
    w.on = true;
    w.onChange(true);
  }
}
