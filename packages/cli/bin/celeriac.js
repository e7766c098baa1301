#!/usr/bin/env node
// The `celeriac` command as npm links it. npm links a workspace's bin when it installs, before
// anything is built, and skips a target that does not exist yet; this file always exists, so
// `npx celeriac` works in a fresh clone once the build (npm test, npm run demo, npx tsc -b) ran.
try {
  await import('../dist/bin/celeriac.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin/celeriac.js')) throw error;
  console.error('celeriac: not built yet; run `npx tsc -b` (or `npm test`, `npm run demo`) in the repository first');
  process.exitCode = 1;
}
