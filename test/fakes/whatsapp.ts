/** Tests use the same WhatsApp simulator that ships in the package (src/simulators/whatsapp). */
export * from '../../src/simulators/whatsapp/index.js';
