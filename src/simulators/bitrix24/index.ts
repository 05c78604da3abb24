/** The Bitrix24 REST (inbound webhook) simulator (tests and, later, `botctl demo`). */
export { startBitrix24Simulator, type Bitrix24Simulator, type BitrixComment, type BitrixContact, type BitrixFault, type BitrixLead, type BitrixRecordedRequest } from './server.js';
