import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// The layers, outermost first. Each may import only the layers listed for it, so the arrows of `nx graph`
// always point inward: apps → domain → infrastructure → contracts. Contracts are what every process and
// outside client shares, so they import no other layer (only zod, which their message schemas are written in);
// the web pages see contracts only (and only their types: see the block for web/ below).
const PRODUCT_LAYERS = {
  'layer:contracts': [],
  'layer:infrastructure': ['layer:infrastructure', 'layer:contracts'],
  'layer:domain': ['layer:domain', 'layer:infrastructure', 'layer:contracts'],
  'layer:app': ['layer:domain', 'layer:infrastructure', 'layer:contracts'],
  'layer:web': ['layer:contracts'],
  // The fakes stand in for infrastructure, so they know its shapes; nothing in the product imports them.
  'layer:testing': ['layer:domain', 'layer:infrastructure', 'layer:contracts'],
  'layer:tool': ['layer:app', 'layer:domain', 'layer:infrastructure', 'layer:contracts', 'layer:testing'],
  'layer:e2e': ['layer:domain', 'layer:infrastructure', 'layer:contracts', 'layer:testing'],
};
// A spec may also import libs/testing, whatever layer it sits in; production code may not.
const SPEC_LAYERS = Object.fromEntries(
  Object.entries(PRODUCT_LAYERS).map(([tag, allowed]) => [
    tag,
    tag === 'layer:contracts' || tag === 'layer:web' ? allowed : [...new Set([...allowed, 'layer:testing'])],
  ]),
);
const boundaries = (layers) => ({
  enforceBuildableLibDependency: false,
  allow: [],
  depConstraints: Object.entries(layers).map(([sourceTag, onlyDependOnLibsWithTags]) => ({ sourceTag, onlyDependOnLibsWithTags })),
});

export default [
  { ignores: ['dist/**', 'node_modules/**', '.nx/**', 'artifacts/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(PRODUCT_LAYERS)],
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // With noUncheckedIndexedAccess the compiler knows where a value may be missing; `!` would silence it.
    // Product code says what happens instead. Specs and tools (scripts whose inputs they build themselves) may.
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'web/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'error' },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(SPEC_LAYERS)] },
  },
  {
    // Browser code is served as tsc emits it, unbundled: a value imported from a library would stay a bare
    // `@seckill/…` import no browser can resolve (and would drag server code into the page). `import type`
    // leaves nothing in the JS, so it is the only import of a library the pages may have.
    files: ['web/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@seckill/*'], allowTypeImports: true, message: 'The pages may import only types from libraries (import type { … }).' }] },
      ],
    },
  },
];
