// Tests import the Telegram simulator from here; it lives in src/ because `botctl demo` runs it too.
export * from '../../src/simulators/telegram/index.js';
