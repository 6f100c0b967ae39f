import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { APP_NAMES, IMAGE_NAME, type AppName } from './settings';

/** Repository root, from dist/tools/src/deploy/k8s. */
export const REPO_ROOT = resolve(__dirname, '../../../../..');
/** Where the manifests are written (committed; the drift test compares them with a fresh generation). */
export const GENERATED_DIR = 'deploy/k8s/generated';
export const REGENERATE_COMMAND = 'npm run deploy:manifests';

/** What the manifests take from package.json: the image tag, and the commands the image runs. */
export interface Release {
  version: string;
  image: string;
  /** `node dist/apps/<app>/src/main.js`, as package.json's `start:<app>` runs it. */
  commands: Readonly<Record<AppName, readonly string[]>>;
  /** `node dist/tools/src/migrate.js`, package.json's `db:migrate`. */
  migrate: readonly string[];
}

interface PackageJson {
  version?: unknown;
  scripts?: Record<string, unknown>;
}

export function readRelease(root = REPO_ROOT): Release {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
  if (typeof pkg.version !== 'string') throw new Error('package.json has no version (the image tag)');
  const script = (name: string): string => {
    const value = pkg.scripts?.[name];
    if (typeof value !== 'string') throw new Error(`package.json has no script ${name}`);
    return value;
  };
  const commands = Object.fromEntries(APP_NAMES.map((app) => [app, nodeCommand(script(`start:${app}`), `start:${app}`)])) as Record<AppName, string[]>;
  return { version: pkg.version, image: `${IMAGE_NAME}:${pkg.version}`, commands, migrate: nodeCommand(script('db:migrate'), 'db:migrate') };
}

/**
 * The `node <file>` a script ends with. `start:<app>` first runs scripts/ensure-built.mjs, which builds on a
 * developer's machine and is not in the image (it holds dist/ already), so only the last step is the container's.
 */
function nodeCommand(script: string, name: string): string[] {
  const last = script.split('&&').at(-1)?.trim() ?? '';
  const words = last.split(/\s+/);
  if (words.length !== 2 || words[0] !== 'node' || !words[1]?.startsWith('dist/')) {
    throw new Error(`package.json script ${name} should end with "node dist/…" (got "${last}")`);
  }
  return words;
}
