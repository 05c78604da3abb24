/** The amoCRM (Kommo) API v4 simulator (tests and, later, `botctl demo`). */
export { startAmoCrmSimulator, type AmoContactRecord, type AmoCrmSimulator, type AmoFault, type AmoLead, type AmoNote, type AmoRecordedRequest } from './server.js';
