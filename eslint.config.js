// Type-aware lint. Boundaries between components are enforced here (see ../shared/STYLE.md):
// api <- store <- apiserver; api <- client <- controllers, scheduler, kubelet, proxy, cli;
// runtime and cni know nothing of the API server; nothing imports cli.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'gen/**', 'bin/**', 'eslint.config.js', 'test/e2e/fixtures/**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'before', 'after', 'beforeEach', 'afterEach', 'suite'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/cmd/**', 'src/cli/**'], rules: restrict([{ group: ['**/cli/*', '**/cli'], message: 'nothing imports cli (but the thin entry points in src/cmd)' }]) },
  { files: ['src/api/**/*.ts'], rules: restrict([{ group: ['**/store/*', '**/apiserver/*', '**/client/*', '**/cli/*'], message: 'api depends on nothing' }]) },
  { files: ['src/store/**/*.ts'], rules: restrict([{ group: ['**/apiserver/*', '**/client/*', '**/cli/*'], message: 'store depends only on api' }]) },
  { files: ['src/client/**/*.ts'], rules: restrict([{ group: ['**/store/*', '**/apiserver/*', '**/cli/*'], message: 'client talks to the API server over HTTP only' }]) },
  { files: ['src/apiserver/**/*.ts'], rules: restrict([{ group: ['**/client/*', '**/cli/*'], message: 'apiserver does not use the client' }]) },
  { files: ['src/runtime/**/*.ts', 'src/cni/**/*.ts'], rules: restrict([{ group: ['**/api/*', '**/store/*', '**/apiserver/*', '**/client/*', '**/cli/*'], message: 'runtime and cni know nothing of the API server' }]) },
  { files: ['src/pki/**/*.ts'], rules: restrict([{ group: ['**/api/*', '**/store/*', '**/apiserver/*', '**/client/*', '**/cli/*'], message: 'pki is a leaf: certificates only' }]) },
);
