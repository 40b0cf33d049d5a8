#!/usr/bin/env node
// `check` comes from its bundle (one module to load; see bin/build.mjs), the rest from dist/src.
const { main } = await import(process.argv[2] === 'check' ? '../dist/check.js' : '../dist/src/main.js');

const code = await main(process.argv);
process.exitCode = code;
// Give open handles (sockets, timers) a moment to close; never hang after a verdict.
setTimeout(() => process.exit(code), 3000).unref();
