// The participants list, from the profiles the room announced.
import { t } from '../i18n.js';

export function renderPeople(list, count, people) {
  list.replaceChildren();
  for (const p of people) {
    const item = document.createElement('li');
    item.dataset.peer = p.id;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = p.me ? `${p.name || t('guest')} (${t('you')})` : (p.name || t('guest'));
    const states = [];
    if (p.muted) states.push(t('mutedState'));
    if (p.cameraOff) states.push(t('cameraOffState'));
    if (p.sharing) states.push(t('sharingScreen'));
    const state = document.createElement('span');
    state.className = 'state';
    state.textContent = states.join(' · ');
    item.append(name, state);
    list.append(item);
  }
  count.textContent = String(people.length);
  count.setAttribute('aria-label', t('inCallCount', { count: people.length }));
}
