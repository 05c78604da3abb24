import type { z } from 'zod';
import type { contactCardsSchema, locationSchema, orderSchema } from './webhook-schemas.js';

/* What the bot and the managers read for messages that carry no text of their own. */

/** Shown to the LLM, so plain English words around the customer's own values. */
export function describeLocation(location: z.output<typeof locationSchema>): string {
  const place = [location.name, location.address].filter((part) => part && part.trim()).join(', ');
  return `📍 Location: ${place ? `${place} ` : ''}(${location.latitude}, ${location.longitude})`;
}

export function describeContacts(cards: z.output<typeof contactCardsSchema>): string {
  if (cards.length === 0) return 'Contact card: (empty)';
  return cards
    .map((card) => {
      const name = card.name?.formatted_name || [card.name?.first_name, card.name?.last_name].filter(Boolean).join(' ') || '(no name)';
      const phones = (card.phones ?? []).map((p) => p.phone || (p.wa_id ? `+${p.wa_id}` : '')).filter(Boolean);
      return `Contact card: ${name} ${phones.length > 0 ? phones.join(', ') : '(no phone)'}`;
    })
    .join('\n');
}

/** Shown to the LLM and the managers: what was ordered, line by line, in plain words around the customer's values. */
export function describeOrder(order: z.output<typeof orderSchema>): string {
  const lines = order.product_items.map((item) => {
    const price = item.item_price !== undefined ? ` × ${item.item_price}${item.currency ? ` ${item.currency}` : ''}` : '';
    return `- ${item.quantity ?? 1} × ${item.product_retailer_id}${price}`;
  });
  const note = order.text?.trim() ? `\nNote: ${order.text.trim()}` : '';
  return `🛒 Order from the catalog${order.catalog_id ? ` ${order.catalog_id}` : ''}:\n${lines.length > 0 ? lines.join('\n') : '(no items)'}${note}`;
}
