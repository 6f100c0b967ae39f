import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** `libTests`: the svc tests of a library, which run its services over libs/testing's fakes. */
function boundaries({ libTests = false } = {}) {
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      // Contracts are what every process and outside client shares: they may depend on nothing.
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', ...(libTests ? ['type:testing'] : [])] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
    ],
  };
}

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
      '@nx/enforce-module-boundaries': ['error', boundaries()],
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
    // Only a library's svc tests may use libs/testing (its fakes); the library's own code still may not. libs/testing
    // must then never depend on such a library, or the two would form a cycle (the rule reports that too).
    files: ['libs/*/src/**/*.svc.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ libTests: true })] },
  },
];
