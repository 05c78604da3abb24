// The customer's pane of the demo console: one chat per channel (WhatsApp, Instagram, Telegram), the one chosen
// on the channel picker drawn; writing goes to the demo API with that channel. The words of each channel are on
// its picker button in index.html.
import { el, ICON, nearBottom, reconcile, svg, time } from './dom.js';

export const CHANNELS = ['whatsapp', 'instagram', 'telegram'];
const $ = (id) => document.getElementById(id);

const STATUS_TITLE = {
  pending: 'on its way to the worker…', failed: 'the worker did not accept it', delivered: 'accepted by the worker',
  read: 'read by the bot (it marked it read through the Graph API)', sent: 'sent by the business', business_delivered: 'the phone reported it delivered', business_read: 'the phone reported it read',
};

function tick(status) {
  const icon = status === 'pending' ? ICON.clock : status === 'failed' ? ICON.failed : status === 'sent' ? ICON.check : ICON.double;
  const node = svg(icon, `tick ${status === 'read' ? 'read' : status === 'failed' ? 'failed' : ''}`);
  node.setAttribute('data-testid', 'tick');
  return node;
}

/**
 * `api(path, body)` posts to the demo API; `toast(text, alert)` shows a message; `onSwitch()` runs after the
 * visitor picked another channel (the page recounts unread messages and read receipts).
 */
export function customerPane({ api, toast, onSwitch }) {
  const ui = { pane: $('pane-customer'), scroll: $('chat-scroll'), list: $('chat-list'), form: $('chat-form'), input: $('chat-input'), picker: $('channel-picker') };
  const stored = localStorage.getItem('botctl-demo-channel');
  let channel = CHANNELS.includes(stored) ? stored : 'whatsapp';
  let state = null;
  let shownChannel = null;

  const buttonOf = (name) => ui.picker.querySelector(`[data-channel="${name}"]`);
  const label = (name) => buttonOf(name).firstChild.textContent.trim();

  function render(next, firstRender) {
    const previous = state?.chats[channel];
    state = next;
    const chat = next.chats[channel];
    const switched = shownChannel !== channel;
    const words = buttonOf(channel).dataset;
    ui.pane.dataset.channel = channel;
    for (const button of ui.picker.querySelectorAll('button')) button.setAttribute('aria-checked', String(button.dataset.channel === channel));
    $('chat-business').textContent = chat.business.name;
    $('chat-status').textContent = `${chat.business.address} · ${words.kind}`;
    $('chat-customer-name').textContent = chat.customer.name;
    $('chat-customer-address').textContent = chat.customer.address;
    $('chat-note').textContent = words.note;
    ui.input.placeholder = words.placeholder;
    ui.input.setAttribute('aria-label', `Message to ${chat.business.name} on ${label(channel)}`);
    for (const chip of document.querySelectorAll('#chat-chips button')) chip.hidden = Boolean(chip.dataset.only) && chip.dataset.only !== channel;

    const stick = nearBottom(ui.scroll) || firstRender || switched;
    const grew = switched || !previous || chat.messages.length > previous.messages.length;
    document.body.classList.toggle('no-anim', firstRender || switched);
    reconcile(ui.list, chat.messages.map((m) => ({
      key: m.id,
      sig: `${m.text}|${m.error ?? ''}`,
      build: () => el('li', { class: `bubble ${m.from}`, 'data-testid': 'chat-message', 'data-from': m.from, 'data-channel': channel },
        el('span', { class: 'text', text: m.text }),
        el('span', { class: 'meta' }, el('time', { text: time(m.at, next.business.timezone) })),
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
    if (grew && stick) ui.scroll.scrollTop = ui.scroll.scrollHeight;
    shownChannel = channel;
  }

  function pick(name) {
    if (name === channel) return;
    channel = name;
    localStorage.setItem('botctl-demo-channel', name);
    if (state) render(state, false);
    onSwitch();
    ui.input.focus();
  }
  for (const button of ui.picker.querySelectorAll('button')) button.addEventListener('click', () => pick(button.dataset.channel));

  async function say(text) {
    const on = channel;
    try {
      await api('customer/messages', { channel: on, text });
    } catch (err) {
      toast(`${label(on)}: ${err.message}`, true);
    }
  }
  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (!text) return;
    ui.input.value = '';
    await say(text);
  });
  for (const chip of document.querySelectorAll('#chat-chips button')) chip.addEventListener('click', () => say(chip.dataset.say));

  /** The business's messages on each channel (what unread badges count). */
  const businessCounts = () => Object.fromEntries(CHANNELS.map((name) => [name, state ? state.chats[name].messages.filter((m) => m.from === 'business').length : 0]));

  /** Shows the unread count of each channel on its picker button (`unread`: channel → count). */
  function showUnread(unread) {
    for (const name of CHANNELS) {
      const badge = buttonOf(name).querySelector('.badge');
      badge.hidden = !unread[name];
      badge.textContent = String(unread[name] ?? 0);
    }
  }

  // The customer has the chat open: the business's delivered messages become read (WhatsApp: a real status webhook).
  let reading = false;
  async function markRead() {
    if (reading || !state) return;
    const on = channel;
    if (!state.chats[on].messages.some((m) => m.from === 'business' && m.status === 'delivered')) return;
    reading = true;
    try {
      await api('customer/read', { channel: on });
    } catch {
      // The next state update tries again.
    } finally {
      reading = false;
    }
  }

  return { render, markRead, showUnread, businessCounts, scroll: ui.scroll, channel: () => channel };
}
