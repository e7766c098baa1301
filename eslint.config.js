// The house rules every package follows, checked by `npm run lint` and by .ci/run before the
// tests: promises are awaited or handed off on purpose, type imports say so, and no package
// imports one it does not declare. Import cycles (type-only ones included, which ESLint's cycle
// rule skips) are checked by dpdm in scripts/lint.mjs; formatting by Prettier.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.venv-celery/**',
      'coverage/**',
      'scripts/**',
      'docker/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: [
            'packages/*/tsconfig.json',
            'packages/dashboard/web/tsconfig.json',
            'test/tsconfig.json',
            'examples/*/tsconfig.json',
          ],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      // async for an interface's sake (a store that needs no I/O) is deliberate.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'import-x/no-extraneous-dependencies': [
        'error',
        { devDependencies: ['**/__tests__/**', 'test/**'], packageDir: ['.'] },
      ],
      'import-x/no-self-import': 'error',
      'import-x/no-useless-path-segments': 'error',
    },
  },
  {
    // Tests: chai's property assertions (`.to.be.empty`) are expressions by design; tests compare
    // methods by reference without calling them, read amqplib's untyped (`any`) message headers
    // as they arrive, and reject with non-Errors on purpose to see how those are reported.
    files: ['**/__tests__/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      // Wrong about fakes typed with `this` or cast to a context type: removing them breaks tsc.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);
