#!/usr/bin/env node
// The `rewind` command: runs the TypeScript CLI through tsx's loader (no separate server build step).
import { register } from 'tsx/esm/api';

register();
await import('../server/cli.ts');
