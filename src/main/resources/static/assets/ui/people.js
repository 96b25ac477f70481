// The participants list, from the profiles the room announced: the host marked; for a host, a Remove button each.
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
    item.append(name);
    if (p.host) {
      const host = document.createElement('span');
      host.className = 'host-mark';
      host.textContent = t('hostMark');
      item.append(host);
    }
    item.append(state);
    if (p.removable && !p.me) {
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'remove';
      remove.dataset.remove = p.id;
      remove.textContent = t('removeParticipant');
      remove.setAttribute('aria-label', t('removeNamed', { name: p.name || t('guest') }));
      item.append(remove);
    }
    list.append(item);
  }
  count.textContent = String(people.length);
  count.setAttribute('aria-label', t('inCallCount', { count: people.length }));
}
