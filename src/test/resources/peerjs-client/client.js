// Drives the unmodified peerjs client for tests: the page's query string names the PeerJS server
// (?host=127.0.0.1&port=9000&path=/myapp&key=peerjs); every event goes into window.events as a plain object,
// which the test reads. No third-party ICE servers: the two ends find each other on loopback.
'use strict';

const query = new URLSearchParams(location.search);
const serverOptions = {
  host: query.get('host'),
  port: Number(query.get('port')),
  path: query.get('path'),
  key: query.get('key') || 'peerjs',
  secure: false,
  debug: 1,
  config: { iceServers: [] },
};

window.events = [];
window.peers = {};
window.connections = {};
window.localStream = null;

function record(event) {
  window.events.push(event);
}

// A Peer named `name` in this page; id undefined asks the server for one.
window.startPeer = function (name, id, extraOptions) {
  const peer = new Peer(id, Object.assign({}, serverOptions, extraOptions || {}));
  window.peers[name] = peer;
  peer.on('open', (openedId) => record({ peer: name, event: 'open', id: openedId }));
  peer.on('error', (err) => record({ peer: name, event: 'error', type: err.type, message: String(err.message) }));
  peer.on('disconnected', () => record({ peer: name, event: 'disconnected' }));
  peer.on('close', () => record({ peer: name, event: 'close' }));
  peer.on('connection', (conn) => {
    window.connections[name + '<' + conn.peer] = conn;
    watchConnection(name, conn);
  });
  peer.on('call', (call) => {
    record({ peer: name, event: 'call', from: call.peer });
    call.answer(window.localStream || undefined);
    watchCall(name, call);
  });
  return peer;
};

function watchConnection(name, conn) {
  conn.on('open', () => record({ peer: name, event: 'connection-open', with: conn.peer }));
  conn.on('data', (data) => record({ peer: name, event: 'data', from: conn.peer, data: data }));
  conn.on('close', () => record({ peer: name, event: 'connection-close', with: conn.peer }));
  conn.on('error', (err) => record({ peer: name, event: 'connection-error', with: conn.peer, type: err.type }));
}

function watchCall(name, call) {
  let video = null;
  // peerjs emits 'stream' once per remote track: one video element per call.
  call.on('stream', (stream) => {
    if (!video) {
      video = document.createElement('video');
      video.dataset.peer = name;
      video.dataset.remote = call.peer;
      video.muted = true;
      video.autoplay = true;
      video.playsInline = true;
      document.getElementById('videos').appendChild(video);
    }
    video.srcObject = stream;
    video.play().catch(() => {});
    record({
      peer: name, event: 'stream', from: call.peer,
      audio: stream.getAudioTracks().length, video: stream.getVideoTracks().length,
    });
  });
  call.on('error', (err) => record({ peer: name, event: 'call-error', with: call.peer, type: err.type }));
}

// Opens a data connection from peer `name` to `remoteId`.
window.connectTo = function (name, remoteId, options) {
  const conn = window.peers[name].connect(remoteId, options || { reliable: true });
  window.connections[name + '>' + remoteId] = conn;
  watchConnection(name, conn);
};

// Sends on the connection between `name` and `remoteId`, whichever side opened it.
window.sendTo = function (name, remoteId, data) {
  const conn = window.connections[name + '>' + remoteId] || window.connections[name + '<' + remoteId];
  conn.send(data);
};

// Fake camera and microphone (Chromium's --use-fake-device-for-media-stream).
window.getMedia = function () {
  return navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } }).then((s) => {
    window.localStream = s;
    record({ event: 'media', audio: s.getAudioTracks().length, video: s.getVideoTracks().length });
  }, (err) => record({ event: 'media-error', name: err.name }));
};

window.callTo = function (name, remoteId) {
  const call = window.peers[name].call(remoteId, window.localStream);
  watchCall(name, call);
};

window.listPeers = function (name) {
  window.peers[name].listAllPeers((ids) => record({ peer: name, event: 'peers', ids: ids }));
};

// The remote videos this page plays: who sent them, their size and play position.
window.videos = function () {
  return [...document.querySelectorAll('video')].map((v) => ({
    peer: v.dataset.peer, remote: v.dataset.remote, width: v.videoWidth, time: v.currentTime,
  }));
};
