#!/usr/bin/env bash
# Fetch the pinned front-end packages from the npm registry and copy their built files into
# web/static, so the app serves every asset itself (council networks and CI have no internet).
# Run by `make vendor`; the result is committed, so a normal checkout never needs npm.
set -euo pipefail
cd "$(dirname "$0")/.."

GOVUK_FRONTEND=6.6.0
LEAFLET=1.9.4
AXE_CORE=4.14.1  # for the browser tests' accessibility checks only: into tests/browser/vendor
MARKERCLUSTER=1.5.3

static=web/static
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {  # fetch NAME VERSION -> unpacked into $tmp/NAME
  mkdir -p "$tmp/$1"
  (cd "$tmp/$1" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
}

fetch govuk-frontend "$GOVUK_FRONTEND"
src=$tmp/govuk-frontend/package/dist/govuk
rm -rf "$static/govuk"
mkdir -p "$static/govuk/assets"
cp "$src/govuk-frontend.min.js" "$static/govuk/"
cp -r "$src/assets/fonts" "$src/assets/images" "$src/assets/manifest.json" "$static/govuk/assets/"
# The prebuilt CSS points at /assets/...; make the paths relative so they resolve next to the
# CSS under /static/govuk/, and drop the source-map comment (maps are not shipped).
sed -e 's#url(/assets/#url(assets/#g' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
  "$src/govuk-frontend.min.css" >"$static/govuk/govuk-frontend.min.css"
sed -i 's#//\# sourceMappingURL=.*$##' "$static/govuk/govuk-frontend.min.js"
find "$static/govuk" -type f -exec chmod 644 {} +
# The package carries no licence file; its package.json says MIT (Crown copyright, GDS).
echo "govuk-frontend $GOVUK_FRONTEND from the npm registry, licence MIT (see its package.json)" \
  >"$static/govuk/VERSION"

fetch leaflet "$LEAFLET"
src=$tmp/leaflet/package
rm -rf "$static/vendor/leaflet"
mkdir -p "$static/vendor/leaflet"
cp "$src/dist/leaflet.js" "$src/dist/leaflet.css" "$src/LICENSE" "$static/vendor/leaflet/"
cp -r "$src/dist/images" "$static/vendor/leaflet/"
sed -i 's#//\# sourceMappingURL=.*$##' "$static/vendor/leaflet/leaflet.js"
find "$static/vendor/leaflet" -type f -exec chmod 644 {} +
echo "leaflet $LEAFLET from the npm registry, licence BSD-2-Clause (LICENSE)" >"$static/vendor/leaflet/VERSION"

# Scheme markers in clusters (folium's MarkerCluster plugin, served from here, not its CDN).
fetch leaflet.markercluster "$MARKERCLUSTER"
src=$tmp/leaflet.markercluster/package
rm -rf "$static/vendor/leaflet.markercluster"
mkdir -p "$static/vendor/leaflet.markercluster"
cp "$src/dist/leaflet.markercluster.js" "$src/dist/MarkerCluster.css" "$src/dist/MarkerCluster.Default.css" \
  "$src/MIT-LICENCE.txt" "$static/vendor/leaflet.markercluster/"
sed -i 's#//\# sourceMappingURL=.*$##' "$static/vendor/leaflet.markercluster/leaflet.markercluster.js"
find "$static/vendor/leaflet.markercluster" -type f -exec chmod 644 {} +
echo "leaflet.markercluster $MARKERCLUSTER from the npm registry, licence MIT (MIT-LICENCE.txt)" \
  >"$static/vendor/leaflet.markercluster/VERSION"

fetch axe-core "$AXE_CORE"
src=$tmp/axe-core/package
axe=tests/browser/vendor/axe-core
rm -rf "$axe"
mkdir -p "$axe"
cp "$src/axe.min.js" "$src/LICENSE" "$axe/"
chmod 644 "$axe"/*
echo "axe-core $AXE_CORE from the npm registry, licence MPL-2.0 (LICENSE)" >"$axe/VERSION"

echo "vendored govuk-frontend $GOVUK_FRONTEND, leaflet $LEAFLET and leaflet.markercluster $MARKERCLUSTER into $static, axe-core $AXE_CORE into $axe"
