import { newWamid, type WaNotification, type WaWireMessage } from './webhook-builders.js';

/*
 * Message shapes the Cloud API sends beyond the basic types, written from Meta's webhook reference
 * ("messages" field: revoke, edit, order, system; business-scoped user ids for customers with a username):
 * the project's own fixtures for them, next to the peer corpus in ../shared/peer-fixtures/whatsapp/.
 */

interface Base {
  from: string;
  id?: string;
  timestamp?: number;
}

function wire(type: string, options: Base, fields: Record<string, unknown>): WaWireMessage {
  return { from: options.from, id: options.id ?? newWamid(), timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)), type, ...fields };
}

/** The customer deleted `originalId` for everyone. */
export function revokeMessage(options: Base & { originalId: string }): WaWireMessage {
  return wire('revoke', options, { revoke: { original_message_id: options.originalId } });
}

/** The customer edited `originalId`; the new content is a whole message (here a text). */
export function editMessage(options: Base & { originalId: string; body: string }): WaWireMessage {
  return wire('edit', options, { edit: { original_message_id: options.originalId, message: { type: 'text', text: { body: options.body } } } });
}

/** A cart sent from the business's catalog. Prices are numbers, per unit. */
export function orderMessage(options: Base & { catalogId?: string; text?: string; items: { sku: string; quantity: number; price: number; currency: string }[] }): WaWireMessage {
  return wire('order', options, {
    order: {
      catalog_id: options.catalogId ?? '354160437058781',
      ...(options.text !== undefined && { text: options.text }),
      product_items: options.items.map((i) => ({ product_retailer_id: i.sku, quantity: i.quantity, item_price: i.price, currency: i.currency })),
    },
  });
}

/** The customer changed their number: `from` is the old one, `system.wa_id` the new one. Sent without `contacts`. */
export function numberChangedMessage(options: Base & { newWaId: string; name?: string }): WaWireMessage {
  return wire('system', options, { system: { body: `${options.name ?? 'User'} changed from ${options.from} to ${options.newWaId}`, wa_id: options.newWaId, type: 'user_changed_number' } });
}

/** The customer's security code changed (reinstall, new phone). Nothing to do for a business bot. */
export function identityChangedMessage(options: Base): WaWireMessage {
  return wire('system', options, { system: { body: 'User identity changed', type: 'customer_identity_changed' }, identity: { acknowledged: true, created_timestamp: String(Math.floor(Date.now() / 1000)), hash: 'aGFzaA' } });
}

/**
 * A delivery from a customer who uses a WhatsApp username and withholds their number: no `from` and no `wa_id`;
 * the business-scoped user id is in `contacts[].user_id` and `from_user_id`, the handle in `profile.username`.
 */
export function usernameNotification(options: { phoneNumberId: string; userId: string; username?: string; name?: string; messages: WaWireMessage[] }): WaNotification {
  const messages = options.messages.map(({ from: _from, ...rest }) => ({ ...rest, from_user_id: options.userId }));
  return {
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550001234', phone_number_id: options.phoneNumberId },
          contacts: [{ profile: { ...(options.name !== undefined && { name: options.name }), ...(options.username !== undefined && { username: options.username }) }, user_id: options.userId }],
          messages,
        },
      }],
    }],
  };
}

/** The same customer, once their number is shared again: both identities in the delivery. */
export function bothIdentitiesNotification(options: { phoneNumberId: string; userId: string; waId: string; name?: string; messages: WaWireMessage[] }): WaNotification {
  return {
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550001234', phone_number_id: options.phoneNumberId },
          contacts: [{ profile: { ...(options.name !== undefined && { name: options.name }) }, wa_id: options.waId, user_id: options.userId }],
          messages: options.messages.map((m) => ({ ...m, from: options.waId, from_user_id: options.userId })),
        },
      }],
    }],
  };
}
