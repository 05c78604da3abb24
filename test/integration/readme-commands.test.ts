import { Config } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { startOpenAISimulator } from '../fakes/openai.js';
import { botctl, initCell } from '../helpers/cli.js';
import { packageRoot } from '../../src/paths.js';

/** Shell lines of the README's ```sh blocks, continuation lines joined. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

/** Splits a command line like a shell would for our purposes (double quotes, no expansion). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

const ALLOWED_OTHER = [/^(sudo )?\.\/install\.sh( --dev( -- .+)?)?$/, /^sudo nano \/etc\/botctl\/botctl\.env$/, /^sudo systemctl restart botctl botctl-watch$/, /^curl -s http:\/\/127\.0\.0\.1:8080\/(readyz|metrics|healthz)$/];

let oclif: Config;
beforeAll(async () => {
  oclif = await Config.load(packageRoot);
});

describe('every command in the README is a real command with real flags', () => {
  const lines = readmeCommands();

  test('the README has commands to check', () => {
    expect(lines.length).toBeGreaterThan(40);
  });

  test.each(lines)('%s', async (line) => {
    const argv = words(line.replace(/^sudo /, ''));
    if (argv[0] !== 'botctl' && argv[0] !== 'bin/botctl') {
      expect(ALLOWED_OTHER.some((pattern) => pattern.test(line)), `not a botctl command and not known to be safe: ${line}`).toBe(true);
      return;
    }
    const rest = argv.slice(1);
    let id = '';
    for (let n = rest.length; n > 0; n--) {
      const candidate = rest.slice(0, n).filter((w) => !w.startsWith('-')).join(':');
      if (rest.slice(0, n).every((w) => !w.startsWith('-')) && oclif.findCommand(candidate)) {
        id = candidate;
        break;
      }
    }
    expect(id, `no botctl command in: ${line}`).not.toBe('');
    const command = await oclif.findCommand(id)!.load();
    const known = new Set(Object.keys({ ...(command.baseFlags ?? {}), ...(command.flags ?? {}) }));
    for (const word of rest.filter((w) => w.startsWith('--'))) {
      const flag = word.slice(2).split('=')[0]!;
      expect(known.has(flag), `botctl ${id.replaceAll(':', ' ')} has no --${flag} (README line: ${line})`).toBe(true);
    }
  });
});

describe('the README walk-through of adding a business runs as written', () => {
  test('tenant add, prompt, knowledge, search, chat, eval, texts, tenant commands', async () => {
    const cell = await initCell();
    const llm = await startOpenAISimulator({ apiKey: 'sk-readme-0123456789abcdef' });
    const env = { ...cell.env, OPENAI_API_KEY: 'sk-readme-0123456789abcdef', OPENAI_BASE_URL: llm.url };
    try {
      const section = readFileSync(join(packageRoot, 'README.md'), 'utf8').split('## Adding a business')[1]!.split('## The managers')[0]!;
      const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')).map((l) => l.trim()).filter((l) => l.startsWith('botctl '));
      expect(commands.length).toBeGreaterThan(12);
      for (const line of commands) {
        const argv = words(line).slice(1).map((w) => (w.startsWith('templates/') ? join(packageRoot, w) : w));
        const result = await botctl(argv, env, { timeoutMs: 60_000 });
        if (line === 'botctl tenant remove dental-almaty') {
          // Without --yes it only says what it would delete.
          expect(result.exitCode).toBe(1);
          expect(result.stderr).toContain('run botctl tenant remove dental-almaty --yes to confirm');
          continue;
        }
        expect({ line, exitCode: result.exitCode, stderr: result.stderr }).toEqual({ line, exitCode: 0, stderr: '' });
      }
    } finally {
      await llm.close();
    }
  }, 180_000);
});
