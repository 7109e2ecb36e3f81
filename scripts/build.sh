#!/usr/bin/env bash
# Builds the npm package into pkg/:
#   pkg/node/index.cjs  (require)   pkg/node/index.mjs (import; re-exports the CJS: one copy)
#   pkg/web/index.js    (browsers, bundlers; loads its wasm on first use)
#   pkg/index.d.ts, pkg/package.json, pkg/README.md, pkg/bin/yunxiao-jobs.cjs
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
stage=target/js-stage
rm -rf "$stage" pkg
mkdir -p "$stage" pkg/node pkg/web

for target in nodejs web; do
  # wasm-pack runs cargo (release profile: opt-level z, LTO) and wasm-bindgen, then wasm-opt.
  wasm-pack --quiet build --release --mode no-install --target "$target" \
    --out-dir "target/wasm-$target" --out-name glue --no-pack >&2
done

cp js/*.js "$stage/"
cp target/wasm-nodejs/glue.js "$stage/glue.cjs"
cp target/wasm-web/glue.js "$stage/glue.js"
cp target/wasm-nodejs/glue_bg.wasm pkg/node/glue_bg.wasm
cp target/wasm-web/glue_bg.wasm pkg/web/glue_bg.wasm

esbuild "$stage/node.js" --bundle --format=cjs --platform=node --target=node18 --minify \
  --legal-comments=none --outfile=pkg/node/index.cjs --log-level=warning
esbuild "$stage/web.js" --bundle --format=esm --platform=neutral --target=es2020 --minify \
  --legal-comments=none --outfile=pkg/web/index.js --log-level=warning
cp js/package/index.mjs pkg/node/index.mjs
printf '{ "type": "module" }\n' > pkg/web/package.json
cp js/package/index.d.ts pkg/index.d.ts
cp README.md pkg/README.md 2>/dev/null || true
if [ -f js/package/cli.cjs ]; then mkdir -p pkg/bin && cp js/package/cli.cjs pkg/bin/yunxiao-jobs.cjs; fi

version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
sed "s/__VERSION__/$version/" js/package/package.json > pkg/package.json
echo "built pkg/ (version $version)" >&2
