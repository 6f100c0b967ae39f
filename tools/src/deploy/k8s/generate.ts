import { buildManifests, renderManifests, type ManifestFile } from './manifests';
import { loadModels } from './models';
import type { Release } from './release';

export class ManifestValidationError extends Error {
  override name = 'ManifestValidationError';
}

/** Every object checked against its Kubernetes (or KEDA) schema; one message names all that fail. */
export function validateAll(files: readonly ManifestFile[]): void {
  const problems: string[] = [];
  for (const { file, objects } of files) {
    for (const object of objects) {
      try {
        object.validate();
      } catch (err) {
        problems.push(`${file}: ${object.kind} ${object.metadata?.name ?? '(unnamed)'}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  if (problems.length > 0) throw new ManifestValidationError(`invalid manifests:\n  ${problems.join('\n  ')}`);
}

/** The manifests of this release, validated, as file name → YAML text. */
export async function generateManifests(release: Release): Promise<{ files: ManifestFile[]; rendered: Map<string, string> }> {
  const files = buildManifests(await loadModels(), release);
  validateAll(files);
  return { files, rendered: renderManifests(files) };
}
