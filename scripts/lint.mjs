#!/usr/bin/env node
/**
 * `npm run lint`: the house rules, each a separate step so a failure says which:
 *   1. import cycles anywhere in packages/ and test/, type-only imports included (dpdm; ESLint's
 *      own cycle rule skips type imports, and a type cycle still ties two modules together);
 *   2. ESLint (eslint.config.js): floating and misused promises, type imports, undeclared
 *      dependencies between packages, typescript-eslint's type-checked rules;
 *   3. Prettier: every file formatted (`npx prettier --write .` fixes it).
 * Exit 1 if any step fails; all steps run.
 */
import { spawnSync } from 'node:child_process';
import { ROOT, step } from './lib/bootstrap.mjs';

const STEPS = [
  [
    'import cycles (dpdm)',
    [
      'dpdm',
      '--no-warning',
      '--no-tree',
      '--exit-code',
      'circular:1',
      '-T',
      'false',
      'packages/*/src/**/*.ts',
      'packages/*/web/src/**/*.{ts,tsx}',
      'test/**/*.ts',
      'examples/*/src/**/*.ts',
    ],
  ],
  ['ESLint', ['eslint', '--max-warnings', '0', '.']],
  ['Prettier', ['prettier', '--check', '--log-level', 'warn', '.']],
];

let failed = 0;
for (const [label, args] of STEPS) {
  step(label);
  const result = spawnSync('npx', ['--no-install', ...args], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exitCode = failed === 0 ? 0 : 1;
if (failed) console.error(`\nlint: ${failed} of ${STEPS.length} checks failed`);
