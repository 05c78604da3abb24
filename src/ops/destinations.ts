/** A rate budget's key (src/desk/telegram/budgets.ts, src/channels/whatsapp/budgets.ts) in an operator's words. */
export function describeDestination(key: string): string {
  const [channel, kind, ...rest] = key.split(':');
  const id = rest.join(':');
  if (channel === 'tg' && kind === 'group') return `Telegram group ${id}`;
  if (channel === 'tg' && kind === 'chat') return `Telegram chat ${id}`;
  if (channel === 'tg' && kind === 'bot') return 'the Telegram bot (all chats)';
  if (channel === 'wa' && kind === 'number') return 'WhatsApp number';
  if (channel === 'wa' && kind === 'pair') return `WhatsApp customer ${rest.slice(1).join(':')}`;
  return key;
}

/** Destinations whose saturation an operator is told about: a tenant's managers group or its WhatsApp number. */
export function isTenantDestination(key: string): boolean {
  return key.startsWith('tg:group:') || key.startsWith('wa:number:');
}
