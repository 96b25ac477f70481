// Asks for the camera and microphone the moment the page starts, before the libraries and the app's modules have
// loaded and run: a camera takes a while to start (Chromium's fake one 150–250 ms), and the lobby (media.js) takes
// this request over. A script of its own because the page's Content-Security-Policy allows no inline script.
window.webcallEarlyMedia = window.isSecureContext && navigator.mediaDevices?.getUserMedia
  ? navigator.mediaDevices.getUserMedia({ video: true, audio: true })
  : undefined;
// Not an unhandled rejection while media.js has yet to await it: a refusal is reported there.
window.webcallEarlyMedia?.catch(() => {});
