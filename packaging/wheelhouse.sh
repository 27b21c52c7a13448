#!/usr/bin/env bash
# Download every wheel Paperdesk needs on this platform, for an install with no network:
#
#   packaging/wheelhouse.sh [--build-tools] [DIR]        (DIR defaults to dist/wheelhouse)
#
# then, on the offline machine (same OS, CPU and Python minor version):
#
#   python3 -m venv paperdesk-env
#   paperdesk-env/bin/pip install --no-index --find-links DIR paperdesk
#   paperdesk-env/bin/paperdesk
#
# The versions are the ones in packaging/constraints.txt, the same the bundles are built from.
# --build-tools adds PyInstaller and setuptools, so that packaging/build_linux.sh can run offline too
# (PIP_NO_INDEX=1 PIP_FIND_LINKS=DIR packaging/build_linux.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
BUILD_TOOLS=0
DIR=""
for arg in "$@"; do
    case "$arg" in
        --build-tools) BUILD_TOOLS=1 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "wheelhouse.sh: unknown option $arg" >&2; exit 2 ;;
        *) DIR=$arg ;;
    esac
done
DIR=$(mkdir -p "${DIR:-$ROOT/dist/wheelhouse}" && cd "${DIR:-$ROOT/dist/wheelhouse}" && pwd)

# Paperdesk's own wheel (with the sample dumps and the icon in it), then everything it depends on.
rm -f "$DIR"/paperdesk-*.whl
# setuptools builds in build/lib and never removes files that are gone from the source.
rm -rf "$ROOT/build/lib" "$ROOT"/build/bdist.*
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$DIR" "$ROOT"
WHEEL=$(ls "$DIR"/paperdesk-*.whl)
"$PYTHON" -m pip download --quiet --only-binary=:all: --dest "$DIR" \
    -c "$ROOT/packaging/constraints.txt" "$WHEEL"
if [ "$BUILD_TOOLS" = 1 ]; then
    "$PYTHON" -m pip download --quiet --only-binary=:all: --dest "$DIR" \
        -r "$ROOT/packaging/requirements-build.txt" "setuptools>=68" "wheel"
fi

echo "$(ls "$DIR"/*.whl | wc -l) wheels, $(du -sm "$DIR" | cut -f1) MB in $DIR"
