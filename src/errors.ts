/**
 * An error a person must fix: `message` says what is wrong, `hint` the exact command or setting that fixes it.
 * The CLI prints both and exits non-zero; nothing else about it is shown (no stack trace).
 */
const MAX_MESSAGE = 500;

export class UserError extends Error {
  readonly hint: string;
  readonly exitCode: number;

  constructor(message: string, hint: string, exitCode = 1) {
    // A safety net for inputs echoed in a message: no error repeats a huge value back (see observability/cut.ts).
    super(message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}… (${message.length - MAX_MESSAGE} more characters)` : message);
    this.name = 'UserError';
    this.hint = hint;
    this.exitCode = exitCode;
  }

  /** One sentence naming the problem and its fix. */
  override toString(): string {
    return `${this.message.replace(/\.$/, '')}: ${this.hint}`;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
