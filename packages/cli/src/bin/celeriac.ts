#!/usr/bin/env node
import { main } from '../main.js';

// The exit code is set, not forced, so stdout and the log stream drain before the process ends.
process.exitCode = await main(process.argv);
