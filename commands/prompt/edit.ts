import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { UserError } from '../../src/errors.js';
import { PromptService } from '../../src/prompts/prompt-service.js';

export default class PromptEdit extends BotctlCommand {
  static override summary = "Edit the tenant's prompt in $VISUAL / $EDITOR; saving a change makes a new version.";
  static override examples = ['EDITOR=nano <%= config.bin %> prompt edit dental-almaty'];
  static override args = slugArg;
  static override flags = { note: Flags.string({ description: 'why it changed (shown in history)' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PromptEdit);
    const service = new PromptService(this.openCell(this.loadConfig(flags)));
    const editor = process.env.VISUAL ?? process.env.EDITOR;
    if (!editor) throw new UserError('no editor is set', 'set EDITOR (e.g. EDITOR=nano), or use botctl prompt set --file');
    const dir = mkdtempSync(join(tmpdir(), 'botctl-prompt-'));
    const file = join(dir, `${args.slug}.md`);
    try {
      writeFileSync(file, service.current(args.slug)?.body ?? '', { mode: 0o600 });
      const result = await execa(editor, [file], { stdio: 'inherit', shell: true, reject: false });
      if (result.exitCode !== 0) throw new UserError(`the editor exited with code ${result.exitCode}`, 'nothing was changed; try again or use botctl prompt set --file');
      const saved = service.set(args.slug, readFileSync(file, 'utf8'), flags.note ?? null);
      this.log(saved.unchanged ? 'No change.' : `Set the prompt of ${args.slug}: version ${saved.version}.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
