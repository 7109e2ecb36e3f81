// Node's own modules, synchronously: process.getBuiltinModule (Node 20.16 and later), else a
// require made for the purpose. Not `import … from 'node:fs'` (or util, events) in the ES module
// build: on Node 22 and later each such import costs 1.5-4 ms of start-up (Node builds the
// module's whole ES namespace), as much as the rest of the package's start-up together
// (bench/DESIGN.md). Nor import(), which Jest's vm context refuses without a flag.
// A namespace import, called through it: webpack rewrites a named createRequire it sees called
// (to `undefined`, with a warning, when its argument is not a literal).
import * as nodeModule from 'node:module';

let fallbackRequire;

export function nodeBuiltin(name) {
  const getBuiltin = globalThis.process?.getBuiltinModule;
  if (typeof getBuiltin === 'function') return getBuiltin(name);
  // Any absolute path will do: Node's own modules resolve alike from everywhere. Not the
  // module's URL, which an app bundled into CommonJS leaves empty.
  fallbackRequire ??= nodeModule.createRequire(globalThis.process.execPath);
  return fallbackRequire(name);
}
