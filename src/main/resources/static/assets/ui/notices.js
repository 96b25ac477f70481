// Short passing notices (someone joined or left), read out by screen readers.
export function notify(container, text, ms = 4000) {
  const item = document.createElement('div');
  item.className = 'notice';
  item.textContent = text;
  container.append(item);
  setTimeout(() => item.remove(), ms);
}
