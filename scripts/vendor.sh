#!/usr/bin/env bash
# Re-vendors the web UI's JavaScript and CSS libraries from their npm packages, at the pinned
# versions below, into src/liaison/web/static/vendor/ with each package's licence beside it.
# Nothing here runs at install or serve time: the vendored files are committed, so a user needs
# neither npm nor a network (docs/web.md, "Vendored libraries").
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=src/liaison/web/static/vendor
# package@version  files to keep (paths inside the package)
PACKAGES=(
  "htmx.org@2.0.11 dist/htmx.min.js"
  "cytoscape@3.34.4 dist/cytoscape.min.js"
  "leaflet@1.9.4 dist/leaflet.js dist/leaflet.css"
  "topojson-client@3.1.0 dist/topojson-client.min.js"
  "world-atlas@2.0.2 countries-110m.json"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$OUT"
mkdir -p "$OUT"
for line in "${PACKAGES[@]}"; do
  read -r spec files <<<"$line"
  name=${spec%@*}
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  tarball=$(ls "$work"/*.tgz)
  mkdir -p "$work/$name" "$OUT/$name"
  tar -xzf "$tarball" -C "$work/$name"
  rm -f "$tarball"
  for f in $files; do cp "$work/$name/package/$f" "$OUT/$name/"; done
  cp "$work/$name/package/"LICEN[CS]E* "$OUT/$name/" 2>/dev/null || cp "$work/$name/package/"license* "$OUT/$name/"
  echo "$spec" > "$OUT/$name/VERSION"
done
echo "vendored into $OUT:"; find "$OUT" -type f | sort
