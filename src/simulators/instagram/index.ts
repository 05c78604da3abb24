/** The Instagram messaging simulator: a fake Graph API and builders of signed webhook deliveries (PROTOCOLS.md §3). */
export { startInstagramGraphSimulator, type InstagramGraphSimulator, type InstagramProfileLookup, type InstagramSend } from './graph-server.js';
export { igAttachment, igDelivery, igEcho, igEvent, igReaction, igStoryReply, igText, igUnsupported, newMid, type InstagramEvent } from './webhook-builders.js';
