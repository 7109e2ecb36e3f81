#!/usr/bin/env bash
# Builds the npm package into pkg/:
#   pkg/node/index.cjs  (require)   pkg/node/index.mjs (import: a real ES module, no CJS interop)
#   pkg/web/index.js    (browsers, bundlers; loads its wasm on first use)
#   pkg/index.d.ts, pkg/package.json, pkg/README.md, pkg/bin/yunxiao-jobs.cjs
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
stage=target/js-stage
# Assemble in target/pkg-next and swap it in at the end, so a test reading pkg/ while a build
# runs sees the old package or the new one, never half of one.
out=target/pkg-next
rm -rf "$stage" "$out"
mkdir -p "$stage" "$out/node" "$out/web"

for target in nodejs web; do
  # wasm-pack runs cargo (release profile: opt-level z, LTO) and wasm-bindgen, then wasm-opt.
  wasm-pack --quiet build --release --mode no-install --target "$target" \
    --out-dir "target/wasm-$target" --out-name glue --no-pack >&2
done

# patch_text FROM TO WAS NOW [WAS NOW ...]: FROM with each WAS replaced (once) by its NOW, written to
# TO. The texts patched are wasm-bindgen's glue (of the locked version) and the proxy: one that
# moved stops the build, naming the patch to update.
patch_text() {
  node -e '
const fs = require("fs");
const [from, to, ...pairs] = process.argv.slice(1);
let text = fs.readFileSync(from, "utf8");
for (let i = 0; i < pairs.length; i += 2) {
  if (!text.includes(pairs[i])) {
    console.error(`build.sh: ${from} no longer holds ${JSON.stringify(pairs[i])}: update its patch`);
    process.exit(1);
  }
  text = text.replace(pairs[i], pairs[i + 1]);
}
fs.writeFileSync(to, text);
' "$@"
}

cp js/*.js "$stage/"
# A Node app bundled without its wasm beside it fails at import: say why and what to do,
# rather than a bare ENOENT.
patch_text target/wasm-nodejs/glue.js "$stage/glue.cjs" \
  "const wasmBytes = require('fs').readFileSync(wasmPath);" \
  'const wasmBytes = (() => { try { return require("fs").readFileSync(wasmPath); } catch (error) { throw new Error(`yunxiao-pipeline-jobs: cannot read its WebAssembly module at ${wasmPath} (${error.code ?? error.message}). Bundled into an app? Keep the package external (esbuild --packages=external or --external:yunxiao-pipeline-jobs; webpack externals), or copy node_modules/yunxiao-pipeline-jobs/node/glue_bg.wasm beside the bundle.`, { cause: error }); } })();'
cp target/wasm-web/glue.js "$stage/glue.js"
cp target/wasm-nodejs/glue_bg.wasm "$out"/node/glue_bg.wasm
cp target/wasm-web/glue_bg.wasm "$out"/web/glue_bg.wasm

# The Node builds' lines are cut near 500 characters (a long string cannot be: the longest is
# ~1.2 KB): Node prints the source line of an uncaught error's throw, and one minified line was
# the whole 24 KB file (+80 B gz an entry).
# Both Node builds take TextDecoder and TextEncoder from node:util (js/node-text-codecs.js).
esbuild "$stage/node.js" --bundle --format=cjs --platform=node --target=node20 --minify --line-limit=500 \
  --inject:"$stage/node-text-codecs.js" --legal-comments=none --outfile="$out"/node/index.cjs --log-level=warning
esbuild "$stage/web.js" --bundle --format=esm --platform=neutral --target=es2020 --minify \
  --legal-comments=none --outfile="$out"/web/index.js --log-level=warning
# The ES module entry is its own bundle: importing the CJS one through Node's interop cost
# ~30 ms of start-up (cjs-module-lexer, and a delayed exit). The classes then exist twice when
# an app loads both entries; instanceof still holds across them (a registered-symbol brand).
# Its glue reads the wasm without require or __dirname: node:fs by js/node-builtin.js (not an
# import of node:fs, which costs start-up on Node 22 and later), at the URL beside the module.
# An app bundled into CommonJS (esbuild's default for --platform=node) has an empty
# import.meta: there the wasm is looked for beside the bundle, as the message says. (webpack
# knows `new URL('./file', import.meta.url)` as an asset to emit.) A module URL that is no file
# (a data: module, a bundler's http publicPath) does the same: an explanation, not a TypeError.
esm_stage=target/js-stage-esm
rm -rf "$esm_stage" && cp -r "$stage" "$esm_stage"
patch_text "$stage/glue.cjs" "$esm_stage/glue.cjs" \
  'const wasmPath = `${__dirname}/glue_bg.wasm`;' 'const wasmPath = __wasmPath;' \
  'require("fs").readFileSync(wasmPath)' 'require("./node-builtin.js").nodeBuiltin("node:fs").readFileSync(wasmPath)'
esbuild "$esm_stage/node.js" --bundle --format=esm --platform=node --target=node20 --minify --line-limit=500 \
  --inject:"$esm_stage/node-text-codecs.js" --legal-comments=none --outfile="$out"/node/index.mjs --log-level=warning \
  --banner:js="import{fileURLToPath as __fileURLToPath}from'node:url';const __wasmPath=(()=>{try{return __fileURLToPath(new URL('./glue_bg.wasm',import.meta.url))}catch{return typeof __dirname=='string'?__dirname+'/glue_bg.wasm':'glue_bg.wasm'}})();"
if grep -q 'require' "$out"/node/index.mjs; then echo "build.sh: node/index.mjs still calls require" >&2; exit 1; fi
printf '{ "type": "module" }\n' > "$out"/web/package.json
# The same declarations twice: as CommonJS for `require`, as an ES module for `import` (so
# TypeScript knows the ES entries have no default export).
cp js/package/index.d.ts "$out"/index.d.ts
cp js/package/index.d.ts "$out"/index.d.mts
# The CommonJS build sets __esModule (esbuild does): declared there, so that TypeScript refuses a
# default import of it, which with esModuleInterop would compile and be undefined at run time.
printf '\n/** Set by the CommonJS build: it has named exports only. */\nexport declare const __esModule: true;\n' >> "$out"/index.d.ts
# TypeScript's older resolution ("node10", the default under "module": "commonjs") ignores
# "exports": it finds the /web subpath's types beside its entry.
printf "export * from '../index.js';\n" > "$out"/web/index.d.ts
# The npm page shows the README without what only makes sense in a clone of the repository
# (set-up, demo, emulator, development, benchmarks).
sed '/<!-- repository-only -->/,/<!-- \/repository-only -->/d' README.md | cat -s > "$out"/README.md
cp LICENSE-MIT LICENSE-APACHE "$out"/
# The signing proxy ships as yunxiao-pipeline-jobs/proxy: the file the repository's demo server
# uses, its imports pointed at the package's own Node build and at bin/echoes.cjs, without the
# export its tests use.
mkdir -p "$out"/proxy
patch_text scripts/signing-proxy.mjs "$out"/proxy/index.mjs \
  "from '../pkg/node/index.mjs'" "from '../node/index.mjs'" \
  "from '../js/package/echoes.cjs'" "from '../bin/echoes.cjs'" \
  "$(grep -B1 '^export const decodersForTests' scripts/signing-proxy.mjs)" ''
cp js/package/proxy.d.mts "$out"/proxy/index.d.mts
# TypeScript's node10 resolution, which ignores "exports", finds them beside the entry too.
printf "export * from './index.mjs';\n" > "$out"/proxy/index.d.ts
mkdir -p "$out"/bin && cp js/package/cli.cjs "$out"/bin/yunxiao-jobs.cjs
# What the proxy and the command line both use to find an echoed secret: beside the latter.
cp js/package/echoes.cjs "$out"/bin/echoes.cjs

version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
sed "s/__VERSION__/$version/" js/package/package.json > "$out"/package.json
rm -rf target/pkg-old
if [ -d pkg ]; then mv pkg target/pkg-old; fi
mv "$out" pkg
rm -rf target/pkg-old
echo "built pkg/ (version $version)" >&2
