#!/usr/bin/env bash
# Refresh web/core/data/common-passwords.txt.gz from Django's wheel on PyPI (a maintained list of
# 20,000 common passwords, BSD licence). Usage: scripts/vendor-passwords.sh [DJANGO_VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-5.2.19}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "django==$version"
(cd "$tmp" && python3 -m zipfile -e django-*.whl unpacked)
cp "$tmp/unpacked/django/contrib/auth/common-passwords.txt.gz" web/core/data/
cp "$tmp"/unpacked/django-*.dist-info/licenses/LICENSE web/core/data/LICENSE.django
sed -i "s/django\` [0-9.]* wheel/django\` $version wheel/" web/core/data/README.md
echo "web/core/data/common-passwords.txt.gz from django $version"
