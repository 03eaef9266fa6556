#!/usr/bin/env node
import { buildProgram } from './program.js';

// A value given as `opperator secret set NAME VALUE` would stay visible in the
// process list (ps, /proc/PID/cmdline) while the command runs. Setting the
// title overwrites the whole original argv area, so only the first
// milliseconds could see it.
const [group, command, name] = process.argv.slice(2);
process.title = ['opperator', group, command, name].filter((part) => part !== undefined && !part.startsWith('-')).join(' ').slice(0, 64);

declare const OPPERATOR_VERSION: string | undefined;
await buildProgram(typeof OPPERATOR_VERSION === 'string' ? OPPERATOR_VERSION : '0.0.0-dev').parseAsync(process.argv);
