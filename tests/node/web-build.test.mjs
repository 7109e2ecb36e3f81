// The browser build, loaded in Node (initialised from bytes, since Node's fetch cannot read
// file: URLs): same behaviour as the Node build.
import { readFile } from 'node:fs/promises';
import * as lib from '../../pkg/web/index.js';
import { defineSuite } from './suite.mjs';

await lib.initialize(await readFile(new URL('../../pkg/web/glue_bg.wasm', import.meta.url)));
defineSuite('web build in Node', lib);
