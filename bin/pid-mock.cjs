#!/usr/bin/env node
// Entry point of the `pid-mock` command: runs the built mock server's CLI.
require('../dist/mock-server/main.js').main(process.argv);
