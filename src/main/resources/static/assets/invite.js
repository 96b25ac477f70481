// The invite: the link to copy, and its QR code for a phone in the room. The QR library is loaded only when the
// panel first opens, so it costs a call nothing.
import { t } from './i18n.js';
import { notify } from './ui/notices.js';
import { $ } from './view.js';

const SVG = 'http://www.w3.org/2000/svg';
const QUIET_ZONE = 4; // modules of white around the code, as the QR standard asks

export function wireInvite(link) {
  $('invite-link').value = link;
  $('qr-link').textContent = link;
  $('copy-link').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(link);
      notify($('notices'), t('copied'));
    } catch {
      $('invite-link').select(); // the clipboard needs a secure page: let the person copy it by hand
      notify($('notices'), t('copyByHand'));
    }
  });
  let drawn = null;
  $('qr-panel').addEventListener('toggle', (e) => {
    if (e.newState !== 'open' || drawn) return;
    drawn = drawQr($('qr-code'), link).catch(() => { drawn = null; });
  });
}

/** Draws the code as an SVG made with DOM calls: no markup strings, nothing the page's CSP would refuse. */
async function drawQr(box, text) {
  const { qrcode } = await import('/vendor/qrcode.mjs');
  const qr = qrcode(0, 'M'); // the smallest version that fits; M recovers from 15 % damage
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const size = n + 2 * QUIET_ZONE;
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.isDark(r, c)) d += `M${c + QUIET_ZONE} ${r + QUIET_ZONE}h1v1h-1z`;
    }
  }
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('showQr'));
  svg.dataset.modules = String(n);
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#fff');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(background, path);
  box.replaceChildren(svg);
}
