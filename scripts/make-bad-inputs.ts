/** Writes the bad-input corpus to test/fixtures/bad/ (see test/fixtures/bad-inputs.ts). */
import { makeBadInputs } from '../test/fixtures/bad-inputs.ts';

const dir = new URL('../test/fixtures/bad/', import.meta.url).pathname;
const { cases } = makeBadInputs(dir);
for (const c of cases) console.log(`${c.name}: fusegrad ${c.args.join(' ')}`);
