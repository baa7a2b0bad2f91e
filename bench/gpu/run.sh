#!/usr/bin/env bash
# Builds the folder to take to the GPU machine for the GPU ensemble benchmark (bench/gpu.ts), and prints the
# command to run there. Run on the development machine, from anywhere:
#
#   bash bench/gpu/run.sh [--dry-run] [BUNDLE]      # BUNDLE defaults to .gpu-bundle (git-ignored)
#
# BUNDLE gets, besides what ../shared/gpu/pack.sh puts there (node.xz, the Vulkan loader, slim koffi and
# webgpu, setup.sh):
#   gpu-bench.mjs          bench/gpu.ts bundled by esbuild (koffi and webgpu stay external: BUNDLE/node_modules)
#   templates/{cuda,wgsl}/ the templates the CUDA and WGSL emitters read at run time
#   anchors/               lorenz_ensemble.cu, lorenz_webgpu.mjs, peers_lorenz.py from ../shared/anchors/gpu
#
# The emitters find their templates with new URL('../../../templates/…', import.meta.url); in the bundle,
# import.meta.url is defined as BUNDLE/src/codegen/bundle/, so that resolves to BUNDLE/templates/.
#
# --dry-run: afterwards runs the bundled script here in its CPU mode (N = 1024, g++ build instead of the GPU,
# WebGPU on lavapipe) into bench/results/tmp/gpu-dry/ — the test of everything but the GPU itself.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
DRY=0
BUNDLE=.gpu-bundle
for a in "$@"; do
  case "$a" in
    --dry-run) DRY=1 ;;
    -*) echo "run.sh: unknown option $a" >&2; exit 2 ;;
    *) BUNDLE=$a ;;
  esac
done
SHARED=$ROOT/../shared
[ -f "$SHARED/gpu/pack.sh" ] || { echo "run.sh: $SHARED/gpu/pack.sh not found" >&2; exit 1; }

bash "$SHARED/gpu/pack.sh" "$BUNDLE"

npx esbuild bench/gpu.ts --bundle --platform=node --format=esm --target=node20 \
  --external:koffi --external:webgpu \
  --define:import.meta.url=__odeforgeBundleUrl \
  "--banner:js=import { createRequire as __odeforgeCreateRequire } from 'node:module'; const require = __odeforgeCreateRequire(import.meta.url); const __odeforgeBundleUrl = new URL('./src/codegen/bundle/', import.meta.url).href;" \
  --log-level=warning --outfile="$BUNDLE/gpu-bench.mjs"

rm -rf "$BUNDLE/templates" "$BUNDLE/anchors"
mkdir -p "$BUNDLE/templates/cuda" "$BUNDLE/templates/wgsl" "$BUNDLE/anchors"
cp templates/cuda/explicit-rk.cu "$BUNDLE/templates/cuda/"
cp templates/wgsl/explicit-rk.wgsl "$BUNDLE/templates/wgsl/"
cp "$SHARED/anchors/gpu/lorenz_ensemble.cu" "$SHARED/anchors/gpu/lorenz_webgpu.mjs" \
  "$SHARED/anchors/gpu/peers_lorenz.py" "$BUNDLE/anchors/"
chmod -R u+w "$BUNDLE/anchors"

# Provenance, recorded in the results: the commit, whether the working tree differed from it, the build time.
COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | wc -l | tr -d ' ')
printf '{"commit": "%s", "modifiedTrackedFiles": %s, "builtAt": "%s"}\n' "$COMMIT" "${DIRTY:-0}" \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$BUNDLE/build-info.json"

KIB=$(du -sk "$BUNDLE" | cut -f1)
echo "run.sh: $BUNDLE is $((KIB / 1024)) MiB" >&2
if [ "$KIB" -ge $((64 * 1024)) ]; then
  echo "run.sh: $BUNDLE is over the 64 MiB the device tool carries" >&2
  exit 1
fi

if [ "$DRY" = 1 ]; then
  echo "run.sh: dry run (CPU mode, N=1024) into bench/results/tmp/gpu-dry/" >&2
  eval "$(bash scripts/webgpu-env.sh)"
  NODE_PATH=$ROOT/$BUNDLE/node_modules node "$BUNDLE/gpu-bench.mjs" --cpu --n 1024 --reps 3 \
    --out bench/results/tmp/gpu-dry
fi

cat <<EOF

Bundle ready: $BUNDLE. On the GPU machine (device tool 'run', carry ["$BUNDLE"], timeout_s 540):

  source $BUNDLE/setup.sh; node $BUNDLE/gpu-bench.mjs --big

Writes \$OUT/gpu-results.md and \$OUT/gpu-results.json (rewritten after every section) and prints the
markdown. Expected: 3-5 minutes on an H100/H200 (builds ~10 s, N=2^20 CUDA + WebGPU ~30 s, Python peers
1.5-3 min (limit 200 s), N=2^23 ~1 min when the 420 s budget allows; a watchdog stops it at 480 s).
Copy the two files into bench/results/ afterwards (see bench/results/gpu-README.md).
EOF
