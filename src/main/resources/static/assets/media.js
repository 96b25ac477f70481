// The local camera and microphone. What goes out is always one audio and one video track: the real devices when
// we have them, a silent track and a black frame otherwise. So mute, camera off, device switches and screen share
// are track swaps on the existing connections, with no renegotiation (which PeerJS cannot do).

/** The problem (an i18n key) of a failed getUserMedia, or of a page that cannot ask at all. */
export function mediaProblem(error) {
  if (!window.isSecureContext) return 'insecure';
  if (!navigator.mediaDevices?.getUserMedia) return 'noMediaApi';
  if (!error) return null;
  if (error.name === 'NotAllowedError' || error.name === 'SecurityError') return 'denied';
  if (error.name === 'NotReadableError') return 'mediaBusy';
  return 'noDevices';
}

/** The request for camera and microphone that early-media.js made as the page started, if any; taken once. */
function takeEarlyMedia() {
  const early = window.webcallEarlyMedia;
  window.webcallEarlyMedia = undefined;
  return early;
}

export class LocalMedia {
  constructor() {
    this.camera = null; // the live camera track, or null
    this.mic = null; // the live microphone track, or null
    this.screen = null; // the screen-share track while sharing
    this.micOn = true;
    this.cameraOn = true;
    this.deviceIds = { videoinput: '', audioinput: '', audiooutput: '' };
    this.problem = null;
    this.stream = new MediaStream(); // what the calls send: exactly one audio and one video track once started
    this.listeners = new Set();
    this.placeholderVideo = null;
    this.placeholderAudio = null;
  }

  onChange(fn) {
    this.listeners.add(fn);
  }

  emit(kind, track) {
    for (const fn of this.listeners) fn(kind, track);
  }

  /** Opens camera and microphone for the preview; falls back to one of them, then to none, and says why. */
  async open() {
    if (mediaProblem(null)) {
      this.problem = mediaProblem(null);
      return;
    }
    let first;
    try {
      const early = this.deviceIds.videoinput || this.deviceIds.audioinput ? null : takeEarlyMedia();
      const s = await (early ?? navigator.mediaDevices.getUserMedia({ video: this.videoConstraint(), audio: this.audioConstraint() }));
      this.camera = s.getVideoTracks()[0] ?? null;
      this.mic = s.getAudioTracks()[0] ?? null;
      this.problem = null;
      return;
    } catch (e) {
      first = e;
    }
    this.problem = mediaProblem(first);
    if (this.problem === 'denied') return;
    try {
      const s = await navigator.mediaDevices.getUserMedia({ audio: this.audioConstraint() });
      this.mic = s.getAudioTracks()[0];
      this.problem = 'noCamera';
      return;
    } catch { /* try the camera alone */ }
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: this.videoConstraint() });
      this.camera = s.getVideoTracks()[0];
      this.problem = 'noMic';
    } catch { /* nothing usable: receive only */ }
  }

  videoConstraint() {
    return this.deviceIds.videoinput ? { deviceId: { exact: this.deviceIds.videoinput } } : true;
  }

  audioConstraint() {
    return this.deviceIds.audioinput ? { deviceId: { exact: this.deviceIds.audioinput } } : true;
  }

  /** Builds the outgoing stream for the call (call after a user gesture, so the audio context may run). */
  startSending() {
    this.applyEnabled();
    this.setOutgoing('audio', this.mic ?? this.silence());
    this.setOutgoing('video', this.currentVideo());
  }

  currentVideo() {
    if (this.screen) return this.screen;
    if (this.camera && this.cameraOn) return this.camera;
    return this.blackFrame();
  }

  setOutgoing(kind, track) {
    for (const old of this.stream.getTracks()) {
      if (old.kind === kind && old !== track) this.stream.removeTrack(old);
    }
    if (!this.stream.getTracks().includes(track)) this.stream.addTrack(track);
    this.emit(kind, track);
  }

  applyEnabled() {
    if (this.mic) this.mic.enabled = this.micOn;
  }

  hasCamera() {
    return !!this.camera;
  }

  hasMic() {
    return !!this.mic;
  }

  setMicOn(on) {
    this.micOn = on;
    this.applyEnabled();
  }

  /** Camera off stops the camera (its light goes out) and sends black frames; on opens it again. */
  async setCameraOn(on) {
    this.cameraOn = on;
    if (!on && this.camera) {
      this.camera.stop();
      this.camera = null;
    } else if (on && !this.camera) {
      try {
        const s = await navigator.mediaDevices.getUserMedia({ video: this.videoConstraint() });
        this.camera = s.getVideoTracks()[0];
      } catch (e) {
        this.cameraOn = false;
        throw e;
      }
    }
    if (this.stream.getTracks().length) this.setOutgoing('video', this.currentVideo());
  }

  /** Switches to another camera or microphone, keeping mute and camera-off as they are. */
  async useDevice(kind, deviceId) {
    this.deviceIds[kind] = deviceId;
    if (kind === 'audioinput') {
      const s = await navigator.mediaDevices.getUserMedia({ audio: this.audioConstraint() });
      this.mic?.stop();
      this.mic = s.getAudioTracks()[0];
      this.applyEnabled();
      if (this.stream.getTracks().length) this.setOutgoing('audio', this.mic);
      else this.emit('audio', this.mic);
    } else if (kind === 'videoinput' && this.cameraOn) {
      const s = await navigator.mediaDevices.getUserMedia({ video: this.videoConstraint() });
      this.camera?.stop();
      this.camera = s.getVideoTracks()[0];
      if (this.stream.getTracks().length) this.setOutgoing('video', this.currentVideo());
      else this.emit('video', this.camera);
    }
  }

  /** Shares the screen in place of the camera until stopped here or by the browser's own stop button. */
  async startShare() {
    const s = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    this.screen = s.getVideoTracks()[0];
    // Text and lines stay sharp; the encoder drops frames rather than detail (the governor also keeps its resolution).
    if ('contentHint' in this.screen) this.screen.contentHint = 'detail';
    this.screen.addEventListener('ended', () => this.stopShare());
    this.setOutgoing('video', this.screen);
  }

  stopShare() {
    if (!this.screen) return;
    const track = this.screen;
    this.screen = null;
    track.stop();
    this.setOutgoing('video', this.currentVideo());
    this.emit('share-ended', null);
  }

  /** A preview stream of the camera alone (never the microphone: no echo). */
  previewStream() {
    const s = new MediaStream();
    const v = this.screen ?? (this.cameraOn ? this.camera : null);
    if (v) s.addTrack(v);
    return s;
  }

  blackFrame() {
    if (!this.placeholderVideo || this.placeholderVideo.readyState === 'ended') {
      const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
      const ctx = canvas.getContext('2d');
      const paint = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, canvas.width, canvas.height); };
      paint();
      setInterval(paint, 1000); // a captured canvas only sends frames when it is painted
      this.placeholderVideo = canvas.captureStream(1).getVideoTracks()[0];
    }
    return this.placeholderVideo;
  }

  silence() {
    if (!this.placeholderAudio) {
      this.audioContext = this.audioContext ?? new AudioContext();
      this.placeholderAudio = this.audioContext.createMediaStreamDestination().stream.getAudioTracks()[0];
    }
    return this.placeholderAudio;
  }

  stop() {
    for (const t of [this.camera, this.mic, this.screen, this.placeholderVideo, this.placeholderAudio]) t?.stop();
  }
}

/** Lists cameras, microphones and speakers (labels appear once permission was granted). */
export async function listDevices() {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  return navigator.mediaDevices.enumerateDevices();
}
