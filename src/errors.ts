/**
 * An error a person must fix: `message` says what is wrong, `hint` the exact command or setting that fixes it.
 * The CLI prints both and exits non-zero; nothing else about it is shown (no stack trace).
 */
export class UserError extends Error {
  readonly hint: string;
  readonly exitCode: number;

  constructor(message: string, hint: string, exitCode = 1) {
    super(message);
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
