#!/usr/bin/env node
import { main } from '../dist/src/main.js';

const code = await main(process.argv);
process.exitCode = code;
// Give open handles (sockets, timers) a moment to close; never hang after a verdict.
setTimeout(() => process.exit(code), 3000).unref();
