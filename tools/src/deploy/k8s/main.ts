import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateManifests } from './generate';
import { GENERATED_DIR, readRelease, REPO_ROOT } from './release';

/**
 * `npm run deploy:manifests`: writes deploy/k8s/generated/ from the TypeScript in this folder. A YAML file the
 * generator no longer makes is removed, so the folder is exactly what `kubectl apply -k` should apply.
 */
async function main(): Promise<void> {
  const { rendered } = await generateManifests(readRelease());
  const dir = join(REPO_ROOT, GENERATED_DIR);
  mkdirSync(dir, { recursive: true });
  for (const stale of readdirSync(dir).filter((f) => f.endsWith('.yaml') && !rendered.has(f))) rmSync(join(dir, stale));
  for (const [file, text] of rendered) writeFileSync(join(dir, file), text);
  console.log(`deploy:manifests: ${rendered.size} files in ${GENERATED_DIR}`);
}

main().catch((err: unknown) => {
  console.error(`deploy:manifests: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
