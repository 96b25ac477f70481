// The call's state in one object: who we are, who else is in the room, the local media, the live call's objects and
// what the page shows. Modules read it freely but change it only through the functions below, so a change has one
// place to look for and the modules need no state of their own.
import { LocalMedia } from './media.js';

export const state = {
  media: new LocalMedia(),
  me: { name: '', muted: false, cameraOff: false, sharing: false },
  profiles: new Map(), // remote PeerJS id -> {id, name, muted, cameraOff, sharing}
  call: null, // the live call's objects once joined: {peer, socket, calls, tiles, chat, audio, joined, monitor}
  early: null, // a promise of {peer, socket} opened in the lobby, until a call takes them
  status: { key: null, vars: {} }, // the passing state the status line shows, an i18n key and its values
  view: { spotlight: null, follow: false }, // the tile shown large (a PeerJS id, 'local' or null); follow the speaker
  room: { host: null, locked: false, knock: false, password: false }, // who hosts (a PeerJS id) and how it is closed
  knocks: new Map(), // knock id -> name: people waiting for us, the host, to let them in
  password: '', // the room password we typed in the lobby, sent with each join (kept in memory only)
};

/** What the server said about the room: its host and settings (docs/signaling.md). */
export function setRoom(changed) {
  Object.assign(state.room, changed);
}

export function putKnock(id, name) {
  state.knocks.set(id, name);
}

export function dropKnock(id) {
  return state.knocks.delete(id);
}

export function setPassword(password) {
  state.password = password;
}

/** Shows one tile large (null: the grid again); follow: whether the spotlight moves to whoever speaks. */
export function setView(changed) {
  Object.assign(state.view, changed);
}

/** Changes what we announce about ourselves. */
export function updateMe(changed) {
  Object.assign(state.me, changed);
}

/** A member as the room announced them (joined, changed or listed on our join). */
export function putProfile(id, profile) {
  state.profiles.set(id, { ...profile, id });
}

/** Forgets a member; true when they were known. */
export function dropProfile(id) {
  return state.profiles.delete(id);
}

export function setCall(call) {
  state.call = call;
}

/** Ends our hold on the call and the members it showed; returns the call that was live, if any. */
export function takeCall() {
  const call = state.call;
  state.call = null;
  state.profiles.clear();
  state.knocks.clear();
  Object.assign(state.room, { host: null, locked: false, knock: false, password: false });
  return call;
}

export function setEarly(promise) {
  state.early = promise;
}

export function setStatusKey(key, vars = {}) {
  state.status = { key, vars };
}
