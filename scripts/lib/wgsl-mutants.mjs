// Mutants of a WGSL source for scripts/mutate-shaders.mjs: each changes one operator, bound or
// literal on one line of code, the kind of slip a kernel's tests must catch. Comments, bindings,
// declarations and snippet placeholders are left alone: a mutant there mostly fails to compile,
// which any test catches and which says nothing of the tests.

/** [name, pattern, replacement]: a pattern matches one place; binary operators need a space each side. */
const OPERATORS = [
  ['+ → -', /(?<=\s)\+(?=\s)/g, () => '-'],
  ['- → +', /(?<=\s)-(?=\s)/g, () => '+'],
  ['* → /', /(?<=\s)\*(?=\s)/g, () => '/'],
  ['/ → *', /(?<=\s)\/(?=\s)/g, () => '*'],
  ['< → <=', /(?<=\s)<(?=\s)/g, () => '<='],
  ['<= → <', /(?<=\s)<=(?=\s)/g, () => '<'],
  ['> → >=', /(?<=\s)>(?=\s)/g, () => '>='],
  ['>= → >', /(?<=\s)>=(?=\s)/g, () => '>'],
  ['== → !=', /(?<=\s)==(?=\s)/g, () => '!='],
  ['!= → ==', /(?<=\s)!=(?=\s)/g, () => '=='],
  ['+= → -=', /(?<=\s)\+=(?=\s)/g, () => '-='],
  ['&& → ||', /(?<=\s)&&(?=\s)/g, () => '||'],
  ['|| → &&', /(?<=\s)\|\|(?=\s)/g, () => '&&'],
  ['min → max', /\bmin(?=\()/g, () => 'max'],
  ['max → min', /\bmax(?=\()/g, () => 'min'],
  ['n → n+1', /(?<![\w.])(\d+)u\b/g, (m) => `${Number(m.slice(0, -1)) + 1}u`],
  ['x → 2x', /(?<![\w.])(\d+\.\d+)(?![\w.])/g, (m) => (Number(m) === 0 ? '1.0' : String(2 * Number(m)).replace(/^(\d+)$/, '$1.0'))],
];

/**
 * Lines a mutant never touches: declarations, the preprocessor's, and the grid index (a 1-D
 * grid, any test's, ignores flat_index's row length: its mutants change nothing there).
 */
const SKIPPED_LINE = /^\s*(@|struct\b|#include|override\b|var<|fn\b|\/\/|\}|$)|\{\{|flat_index\(/;

/**
 * `if (…) {` then `return;`: the bounds check of an invocation past the end. Its mutants let that
 * invocation run, and Dawn's robustness keeps it in bounds: its loads and stores clamp onto the
 * last element, which it writes with the value that element has (or the store is dropped), so
 * they change no result and only cost a run of every test.
 */
function isGuard(lines, i) {
  return /^\s*if \(.*\) \{\s*$/.test(lines[i]) && /^\s*return;\s*$/.test(lines[i + 1] ?? '');
}

/**
 * Every place a mutant can change in `source`, in order: { line (1-based), column, operator,
 * before, after (the whole line, mutated) }.
 */
export function mutationSites(source) {
  const sites = [];
  const lines = source.split('\n');
  lines.forEach((text, i) => {
    if (SKIPPED_LINE.test(text) || isGuard(lines, i)) return;
    const comment = text.indexOf('//');
    const code = comment < 0 ? text : text.slice(0, comment);
    for (const [operator, pattern, replace] of OPERATORS) {
      for (const match of code.matchAll(pattern)) {
        const after = code.slice(0, match.index) + replace(match[0]) + text.slice(match.index + match[0].length);
        sites.push({ line: i + 1, column: match.index + 1, operator, before: text, after });
      }
    }
  });
  return sites.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** `count` sites spread evenly over all of them (all when there are fewer), the same each run. */
export function spreadSites(sites, count) {
  if (sites.length <= count) return sites;
  return Array.from({ length: count }, (_, k) => sites[Math.floor(((k + 0.5) * sites.length) / count)]);
}

/** `source` with one site's line replaced by its mutant. */
export function applySite(source, site) {
  const lines = source.split('\n');
  lines[site.line - 1] = site.after;
  return lines.join('\n');
}
