// Every user-visible string comes from i18n/<lang>.json; the language follows the browser and can be switched.
const SUPPORTED = ['en', 'zh-CN'];
const STORAGE_KEY = 'webcall.lang';
let strings = {};
let current = 'en';

export function pickLanguage() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (SUPPORTED.includes(saved)) return saved;
  for (const lang of navigator.languages || [navigator.language]) {
    if (/^zh\b/i.test(lang)) return 'zh-CN';
    if (/^en\b/i.test(lang)) return 'en';
  }
  return 'en';
}

export async function loadLanguage(lang) {
  const chosen = SUPPORTED.includes(lang) ? lang : 'en';
  const res = await fetch(`/assets/i18n/${chosen}.json`);
  strings = await res.json();
  current = chosen;
  document.documentElement.lang = chosen;
  return chosen;
}

export function saveLanguage(lang) {
  localStorage.setItem(STORAGE_KEY, lang);
}

export function language() {
  return current;
}

/** The string for key, with {name} placeholders filled from vars. A missing key shows as the key itself. */
export function t(key, vars = {}) {
  const s = Object.hasOwn(strings, key) ? strings[key] : key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** Fills every [data-i18n] element's text, and [data-i18n-label] elements' aria-label and title. */
export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
    el.title = t(el.dataset.i18nLabel);
  }
}
