// botctl demo console. The server streams the whole state (server-sent events); this file draws it and turns
// clicks into the demo API's actions. No framework and no build step: the page works from templates/ as is
// (an ES module: strict mode and deferred by default).
import { el, formatted, ICON, NAME_COLORS, nearBottom, reconcile, svg, time } from './dom.js';

const $ = (id) => document.getElementById(id);
const ui = {
  panes: document.querySelector('.panes'),
  waScroll: $('wa-scroll'), waList: $('wa-list'), waForm: $('wa-form'), waInput: $('wa-input'),
  tgScroll: $('tg-scroll'), tgList: $('tg-list'), tgForm: $('tg-form'), tgInput: $('tg-input'), tgEmpty: $('tg-empty'),
  replyBar: $('tg-reply'), replyText: $('tg-reply-text'), toast: $('tg-toast'), managers: $('tg-managers'),
};

let state = null;
let managerId = Number(localStorage.getItem('botctl-demo-manager')) || null;
let replyTo = null;
let activePane = 'whatsapp';
let firstRender = true;
const presses = new Map(); // callback query id → message id, until the bot answers
const seen = { whatsapp: 0, telegram: 0 };

// ── talking to the server ──

async function api(path, body) {
  const response = await fetch(`api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function connect() {
  const events = new EventSource('api/events');
  events.addEventListener('state', (event) => {
    $('offline').hidden = true;
    render(JSON.parse(event.data));
  });
  events.onerror = () => { $('offline').hidden = false; };
}

function render(next) {
  const previous = state;
  state = next;
  if (managerId === null || !next.telegram.managers.some((m) => m.id === managerId)) managerId = next.telegram.managers[0]?.id ?? null;
  document.body.classList.toggle('no-anim', firstRender);
  $('llm').textContent = next.llm.label;
  $('llm').title = next.llm.detail;
  $('llm').classList.toggle('offline-llm', next.llm.label.startsWith('No LLM'));
  $('wa-business').textContent = next.business.name;
  $('wa-status').textContent = `${next.business.phone} · business account`;
  $('wa-customer-name').textContent = next.whatsapp.customer.name;
  $('wa-customer-phone').textContent = next.whatsapp.customer.waId;
  $('tg-title').textContent = next.telegram.chat.title;
  $('tg-members').textContent = `${next.telegram.chat.members.length + 1} members: ${next.telegram.chat.members.map((m) => m.name).join(', ')} and the bot`;
  renderManagers(next.telegram.managers);
  renderWhatsapp(next.whatsapp, previous);
  renderTelegram(next.telegram);
  showAnswers(next.telegram.answers);
  countUnread();
  markRead();
  firstRender = false;
}

function tick(status) {
  const icon = status === 'pending' ? ICON.clock : status === 'failed' ? ICON.failed : status === 'sent' ? ICON.check : ICON.double;
  const node = svg(icon, `tick ${status === 'read' ? 'read' : status === 'failed' ? 'failed' : ''}`);
  node.setAttribute('data-testid', 'tick');
  return node;
}

const STATUS_TITLE = {
  pending: 'sending the webhook…', failed: 'the worker did not accept it', delivered: 'accepted by the worker (webhook 200)',
  read: 'read by the bot (it marked it read through the Graph API)', sent: 'sent by the business', business_delivered: 'the phone reported it delivered', business_read: 'the phone reported it read',
};

function renderWhatsapp(wa, previous) {
  const stick = nearBottom(ui.waScroll) || firstRender;
  const grew = !previous || wa.messages.length > previous.whatsapp.messages.length;
  reconcile(ui.waList, wa.messages.map((m) => ({
    key: m.id,
    sig: `${m.text}|${m.error ?? ''}`,
    build: () => el('li', { class: `bubble ${m.from}`, 'data-testid': 'wa-message', 'data-from': m.from },
      el('span', { class: 'text', text: m.text }),
      el('span', { class: 'meta' }, el('time', { text: time(m.at, state.business.timezone) })),
      m.error ? el('span', { class: 'error', text: m.error }) : null),
    update: (node) => {
      if (node.dataset.status === m.status) return;
      node.dataset.status = m.status;
      const meta = node.querySelector('.meta');
      meta.querySelector('.tick')?.remove();
      meta.append(tick(m.status));
      meta.title = STATUS_TITLE[m.from === 'business' && m.status !== 'sent' ? `business_${m.status}` : m.status] ?? m.status;
    },
  })));
  if (grew && stick) ui.waScroll.scrollTop = ui.waScroll.scrollHeight;
}

function renderManagers(managers) {
  const sig = `${managers.map((m) => m.id).join(',')}|${managerId}`;
  if (ui.managers.dataset.sig === sig) return;
  ui.managers.dataset.sig = sig;
  ui.managers.replaceChildren(el('span', { class: 'as-label', text: 'You are' }), ...managers.map((m) => {
    const button = el('button', { type: 'button', role: 'radio', 'aria-checked': String(m.id === managerId), 'data-testid': 'tg-manager', 'data-manager': String(m.id), title: `Act as ${m.name}` },
      el('span', { class: 'dot', text: m.name.slice(0, 1) }), el('span', { class: 'name', text: m.name.split(' ')[0] }));
    button.querySelector('.dot').style.background = NAME_COLORS[m.id % NAME_COLORS.length];
    button.addEventListener('click', () => {
      managerId = m.id;
      localStorage.setItem('botctl-demo-manager', String(m.id));
      render(state);
    });
    return button;
  }));
}

function renderTelegram(tg) {
  const stick = nearBottom(ui.tgScroll) || firstRender;
  const before = ui.tgList.children.length;
  ui.tgEmpty.hidden = tg.messages.length > 0;
  reconcile(ui.tgList, tg.messages.map((m) => {
    const mine = !m.fromBot && m.fromId === managerId;
    return {
      key: String(m.id),
      sig: JSON.stringify([m.text, m.entities, m.buttons, m.edited, m.replyTo, m.role, mine]),
      build: () => groupMessage(m, mine),
      update: (node) => node.classList.toggle('replying', replyTo === m.id),
    };
  }));
  if (ui.tgList.children.length > before && stick) ui.tgScroll.scrollTop = ui.tgScroll.scrollHeight;
  // A reply target that is gone or whose request was resolved would send nowhere useful.
  const target = tg.messages.find((m) => m.id === replyTo);
  if (replyTo !== null && (!target || target.role?.handoverStatus === 'resolved')) setReply(null);
}

function groupMessage(m, mine) {
  if (m.service) return el('li', { class: 'service', 'data-testid': 'tg-service' }, el('span', { text: m.service }));
  const role = m.role?.kind ?? (m.fromBot ? 'bot' : 'manager');
  const classes = [role, mine ? 'mine' : '', m.role?.handoverStatus === 'resolved' && role === 'card' ? 'resolved' : '', firstRender ? '' : 'fresh'];
  const item = el('li', { class: classes.filter(Boolean).join(' '), 'data-testid': role === 'card' ? 'tg-card' : 'tg-message', 'data-id': String(m.id), 'data-role': role });
  const bubble = el('div', { class: 'bubble' });
  if (!mine) {
    const sender = el('span', { class: 'sender', text: m.fromBot ? `${m.from} · bot` : m.from });
    if (!m.fromBot) sender.style.color = NAME_COLORS[m.fromId % NAME_COLORS.length];
    bubble.append(sender);
  }
  if (m.replyTo) bubble.append(el('span', { class: 'quote' }, el('b', { text: m.replyTo.from }), m.replyTo.text));
  bubble.append(formatted(m.text, m.entities));
  const meta = el('span', { class: 'meta' }, el('time', { text: `${m.edited ? 'edited ' : ''}${time(m.at, state.business.timezone)}` }));
  if (m.fromBot && m.role?.handoverNumber && m.role.handoverStatus !== 'resolved') {
    const reply = el('button', { type: 'button', class: 'reply-btn', 'data-testid': 'tg-reply', text: 'Reply', title: 'Reply to this message: your text goes to the customer' });
    reply.addEventListener('click', () => { setReply(m.id); ui.tgInput.focus(); });
    meta.prepend(reply);
  }
  bubble.append(meta);
  item.append(bubble);
  if (m.buttons.length > 0) {
    item.append(el('div', { class: 'keyboard' }, ...m.buttons.map((row) => el('div', { class: 'row' }, ...row.map((b) => {
      const button = el('button', { type: 'button', 'data-testid': 'tg-button', 'data-data': b.data, text: b.text });
      button.addEventListener('click', () => press(m, b, button));
      return button;
    })))));
  }
  return item;
}

// ── actions ──

async function press(message, button, node) {
  node.disabled = true;
  try {
    const { queryId } = await api('desk/press', { managerId, messageId: message.id, data: button.data });
    presses.set(queryId, message.id);
    // Pressing Take on a card also points the reply box at it: the manager's next words are for that customer.
    if (message.role?.kind === 'card' && /:t$|:o$/.test(button.data)) setReply(message.id);
  } catch (err) {
    toast(err.message, false);
  } finally {
    setTimeout(() => { node.disabled = false; }, 400);
  }
}

function showAnswers(answers) {
  for (const answer of answers) {
    if (!presses.has(answer.queryId)) continue;
    presses.delete(answer.queryId);
    if (answer.text) toast(answer.text, answer.alert);
  }
}

let toastTimer = null;
function toast(text, alert) {
  ui.toast.textContent = text;
  ui.toast.classList.toggle('alert', Boolean(alert));
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { ui.toast.hidden = true; }, alert ? 6000 : 3500);
}

function setReply(id) {
  replyTo = id;
  const target = id === null ? null : state?.telegram.messages.find((m) => m.id === id);
  ui.replyBar.hidden = !target;
  ui.replyText.textContent = target ? target.text.split('\n')[0] : '';
  ui.tgInput.placeholder = target ? 'Reply to the customer…' : 'Message the group, or reply to a card';
  for (const node of ui.tgList.children) node.classList.toggle('replying', Number(node.dataset.key) === id);
}

ui.waForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = ui.waInput.value.trim();
  if (!text) return;
  ui.waInput.value = '';
  await say(text);
});

async function say(text) {
  try {
    await api('customer/messages', { text });
  } catch (err) {
    toast(`WhatsApp: ${err.message}`, true);
  }
}

for (const chip of document.querySelectorAll('#wa-chips button')) chip.addEventListener('click', () => say(chip.dataset.say));

ui.tgForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = ui.tgInput.value.trim();
  if (!text || managerId === null) return;
  ui.tgInput.value = '';
  try {
    await api('desk/messages', { managerId, text, ...(replyTo !== null ? { replyTo } : {}) });
  } catch (err) {
    ui.tgInput.value = text;
    toast(err.message, true);
  }
});
$('tg-reply-cancel').addEventListener('click', () => setReply(null));

// ── tabs (narrow screens), unread badges, read receipts ──

function showPane(pane) {
  activePane = pane;
  ui.panes.dataset.active = pane;
  for (const tab of document.querySelectorAll('.tabs button')) tab.setAttribute('aria-selected', String(tab.dataset.pane === pane));
  countUnread();
  markRead();
  const box = pane === 'whatsapp' ? ui.waScroll : ui.tgScroll;
  box.scrollTop = box.scrollHeight;
}
for (const tab of document.querySelectorAll('.tabs button')) tab.addEventListener('click', () => showPane(tab.dataset.pane));

const narrow = () => window.matchMedia('(max-width: 880px)').matches;
const visible = (pane) => document.visibilityState === 'visible' && (!narrow() || activePane === pane);

function countUnread() {
  if (!state) return;
  const counts = { whatsapp: state.whatsapp.messages.filter((m) => m.from === 'business').length, telegram: state.telegram.messages.length };
  for (const pane of ['whatsapp', 'telegram']) {
    if (visible(pane)) seen[pane] = counts[pane];
    const badge = document.querySelector(`#tab-${pane} .badge`);
    const unread = Math.max(0, counts[pane] - seen[pane]);
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
  }
}

// The customer has the chat open: the business's delivered messages become read (a real status webhook).
let reading = false;
async function markRead() {
  if (reading || !state || !visible('whatsapp')) return;
  if (!state.whatsapp.messages.some((m) => m.from === 'business' && m.status === 'delivered')) return;
  reading = true;
  try {
    await api('customer/read');
  } catch {
    // The next state update tries again.
  } finally {
    reading = false;
  }
}
document.addEventListener('visibilitychange', () => { countUnread(); markRead(); });
window.matchMedia('(max-width: 880px)').addEventListener('change', () => { countUnread(); markRead(); });

// A resized window (a phone turned, the keyboard opened) keeps both chats at their newest message.
window.addEventListener('resize', () => {
  for (const box of [ui.waScroll, ui.tgScroll]) box.scrollTop = box.scrollHeight;
});

ui.panes.dataset.active = activePane;
connect();
