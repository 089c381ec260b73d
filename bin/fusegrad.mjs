#!/usr/bin/env node
// fusegrad ships its TypeScript sources; tsx runs them without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exit(await main(process.argv.slice(2)));
