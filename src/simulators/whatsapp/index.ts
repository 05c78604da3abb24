/** The WhatsApp Cloud API simulator: a fake Graph server plus signed, Meta-shaped webhooks (tests and `botctl demo`). */
export { startWhatsappGraphSimulator } from './graph-server.js';
export type { FailureScript, RecordedRead, RecordedSend, SimRequest, WhatsappGraphSimulator } from './graph-types.js';
export { codeForStatus, graphError, statusForCode, type GraphErrorBody } from './graph-wire.js';
export { countRateBreaches, type RateBreaches, type RateLimits, type TimedSend } from './rate-breaches.js';
export { encodeLikeMeta, signedDelivery, signWebhook } from './sign-webhook.js';
export { sendProblem } from './validate-send.js';
export {
  accountErrorNotification,
  buttonReplyMessage,
  contactsMessage,
  documentMessage,
  imageMessage,
  inboundNotification,
  listReplyMessage,
  locationMessage,
  mergeNotifications,
  newMediaId,
  newWamid,
  quickReplyMessage,
  reactionMessage,
  statusNotification,
  stickerMessage,
  textMessage,
  unsupportedMessage,
  videoMessage,
  voiceMessage,
  type GraphErrorDetail,
  type MessageOptions,
  type WaNotification,
  type WaWireMessage,
} from './webhook-builders.js';
export {
  bothIdentitiesNotification, editMessage, identityChangedMessage, numberChangedMessage, orderMessage, revokeMessage, usernameNotification,
} from './field-messages.js';
