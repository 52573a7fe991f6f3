#!/usr/bin/env node
// Entry point of the `dombridge` command: runs the compiled CLI (npm install builds it).
import '../dist/src/cli/main.js';
