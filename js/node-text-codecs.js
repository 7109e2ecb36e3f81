// Injected into the Node builds by esbuild (scripts/build.sh): wasm-bindgen's glue makes its
// TextDecoder and TextEncoder as it loads, and a test environment whose globals are a browser's
// (Jest's jsdom) has neither, so the package failed at require. Node's own, whatever the globals.
import { nodeBuiltin } from './node-builtin.js';

export const { TextDecoder, TextEncoder } = nodeBuiltin('node:util');
