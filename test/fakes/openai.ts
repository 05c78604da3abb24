// Tests import the OpenAI simulator from here; it lives in src/ because `botctl demo` runs it too.
export * from '../../src/simulators/openai/index.js';
