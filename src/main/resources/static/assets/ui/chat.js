// Text chat: plain text only. Messages enter the page through textContent, never as HTML.
import { t } from '../i18n.js';

export class Chat {
  constructor({ log, form, input, unread, button }, send) {
    this.log = log;
    this.input = input;
    this.unreadBadge = unread;
    this.button = button;
    this.open = false;
    this.unread = 0;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit(send);
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        this.submit(send);
      }
    });
  }

  async submit(send) {
    const text = this.input.value.trim();
    if (!text) return;
    const reply = await send(text);
    if (reply?.ok) {
      this.input.value = '';
      this.add(reply.message, true);
    } else {
      this.add({ name: '', text: t('messageFailed', { reason: reply?.message ?? '?' }), at: Date.now() }, true, true);
    }
  }

  /** Appends a message: {name, text, at}. */
  add(message, mine = false, failed = false) {
    const item = document.createElement('li');
    item.className = mine ? 'mine' : 'theirs';
    if (failed) item.classList.add('failed');
    const meta = document.createElement('div');
    meta.className = 'meta';
    const time = new Date(message.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    meta.textContent = `${mine ? t('you') : (message.name || t('guest'))} · ${time}`;
    const text = document.createElement('div');
    text.className = 'text';
    text.textContent = message.text;
    item.append(meta, text);
    this.log.append(item);
    this.log.scrollTop = this.log.scrollHeight;
    if (!this.open && !mine) {
      this.unread += 1;
      this.renderUnread();
    }
  }

  setOpen(open) {
    this.open = open;
    if (open) {
      this.unread = 0;
      this.renderUnread();
      this.input.focus();
    }
  }

  renderUnread() {
    this.unreadBadge.hidden = this.unread === 0;
    this.unreadBadge.textContent = String(this.unread);
    this.button.setAttribute('aria-label', this.unread ? `${t('chat')}: ${t('unreadMessages', { count: this.unread })}` : t('chat'));
  }
}
