/**
 * Every benchmark suite, in the order they run (roofline first: the others divide by its
 * ceilings). A new suite is one file exporting a `Suite` and one line here. Portable: the Chrome
 * bundle imports this list too.
 */
import type { Suite } from './harness.ts';
import { cnn } from './cnn.ts';
import { matmul } from './matmul.ts';
import { models } from './models.ts';
import { opsSuite } from './ops.ts';
import { roofline } from './roofline.ts';
import { siren } from './siren.ts';
import { wait } from './wait.ts';

export const SUITES: Suite[] = [roofline, matmul, wait, siren, cnn, opsSuite, models];
