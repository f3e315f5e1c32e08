#!/usr/bin/env node
// Entry point of the `pid` command: runs the built command-line client (npm run build first).
require('../dist/src/cli/main.js').main(process.argv);
