// botctl demo console. The server streams the whole state (server-sent events); this file draws it and turns
// clicks into the demo API's actions. No framework and no build step: the page works from templates/ as is
// (an ES module: strict mode and deferred by default).
import { CHANNELS, customerPane } from './customer.js';
import { el, formatted, NAME_COLORS, nearBottom, reconcile, time } from './dom.js';

const $ = (id) => document.getElementById(id);
const ui = {
  panes: document.querySelector('.panes'),
  tgScroll: $('tg-scroll'), tgList: $('tg-list'), tgForm: $('tg-form'), tgInput: $('tg-input'), tgEmpty: $('tg-empty'),
  replyBar: $('tg-reply'), replyText: $('tg-reply-text'), toast: $('tg-toast'), managers: $('tg-managers'),
};

let state = null;
let managerId = Number(localStorage.getItem('botctl-demo-manager')) || null;
let replyTo = null;
let activePane = 'customer';
let firstRender = true;
const presses = new Map(); // callback query id → message id, until the bot answers
const seen = { whatsapp: 0, instagram: 0, telegram: 0, desk: 0 }; // messages counted as seen, per chat

// ── talking to the server ──

async function api(path, body) {
  const response = await fetch(`api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

const customer = customerPane({ api, toast, onSwitch: () => readIfSeen() });

function connect() {
  const events = new EventSource('api/events');
  events.addEventListener('state', (event) => {
    $('offline').hidden = true;
    render(JSON.parse(event.data));
  });
  events.onerror = () => { $('offline').hidden = false; };
}

function render(next) {
  state = next;
  if (managerId === null || !next.desk.managers.some((m) => m.id === managerId)) managerId = next.desk.managers[0]?.id ?? null;
  $('llm').textContent = next.llm.label;
  $('llm').title = next.llm.detail;
  $('llm').classList.toggle('offline-llm', next.llm.label.startsWith('No LLM'));
  $('tg-title').textContent = next.desk.chat.title;
  $('tg-members').textContent = `${next.desk.chat.members.length + 1} members: ${next.desk.chat.members.map((m) => m.name).join(', ')} and the bot`;
  renderManagers(next.desk.managers);
  customer.render(next, firstRender); // also sets no-anim: on the first render, and when another channel is shown
  renderDesk(next.desk);
  showAnswers(next.desk.answers);
  readIfSeen();
  firstRender = false;
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

function renderDesk(tg) {
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
  const target = id === null ? null : state?.desk.messages.find((m) => m.id === id);
  ui.replyBar.hidden = !target;
  ui.replyText.textContent = target ? target.text.split('\n')[0] : '';
  ui.tgInput.placeholder = target ? 'Reply to the customer…' : 'Message the group, or reply to a card';
  for (const node of ui.tgList.children) node.classList.toggle('replying', Number(node.dataset.key) === id);
}

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
  readIfSeen();
  const box = pane === 'customer' ? customer.scroll : ui.tgScroll;
  box.scrollTop = box.scrollHeight;
}
for (const tab of document.querySelectorAll('.tabs button')) tab.addEventListener('click', () => showPane(tab.dataset.pane));

const narrow = () => window.matchMedia('(max-width: 880px)').matches;
const visible = (pane) => document.visibilityState === 'visible' && (!narrow() || activePane === pane);

// A customer chat is seen while its channel is picked and the customer pane is on screen; the desk while its pane is.
function countUnread() {
  if (!state) return;
  const counts = { ...customer.businessCounts(), desk: state.desk.messages.length };
  const unread = {};
  for (const chat of Object.keys(counts)) {
    const onScreen = chat === 'desk' ? visible('desk') : visible('customer') && customer.channel() === chat;
    if (onScreen) seen[chat] = counts[chat];
    unread[chat] = Math.max(0, counts[chat] - seen[chat]);
  }
  customer.showUnread(unread);
  const tabs = { customer: CHANNELS.reduce((sum, chat) => sum + unread[chat], 0), desk: unread.desk };
  for (const pane of ['customer', 'desk']) {
    const badge = document.querySelector(`#tab-${pane} .badge`);
    badge.hidden = tabs[pane] === 0;
    badge.textContent = String(tabs[pane]);
  }
}

// The customer has the chat open: the business's delivered messages become read.
function readIfSeen() {
  countUnread();
  if (visible('customer')) customer.markRead();
}
document.addEventListener('visibilitychange', readIfSeen);
window.matchMedia('(max-width: 880px)').addEventListener('change', readIfSeen);

// A resized window (a phone turned, the keyboard opened) keeps both chats at their newest message.
window.addEventListener('resize', () => {
  for (const box of [customer.scroll, ui.tgScroll]) box.scrollTop = box.scrollHeight;
});

ui.panes.dataset.active = activePane;
connect();
