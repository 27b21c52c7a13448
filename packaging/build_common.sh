# shellcheck shell=bash
# Sourced by build_linux.sh and build_macos.sh: the steps every Unix build shares.
# Expects ROOT (the checkout), BUILD (a scratch folder of its own) and PYTHON.

# A fresh venv in $BUILD/venv with Paperdesk and PyInstaller at the pinned versions, so nothing from a
# developer's environment leaks into the bundle. Sets VERSION.
make_build_venv() {
    rm -rf "$BUILD"
    mkdir -p "$BUILD" "$ROOT/dist"
    echo "==> build venv"
    # setuptools builds Paperdesk's wheel in build/lib and never removes files that are gone from the source.
    rm -rf "$ROOT/build/lib" "$ROOT"/build/bdist.*
    "$PYTHON" -m venv "$BUILD/venv"
    "$BUILD/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -c "$ROOT/packaging/constraints.txt" -r "$ROOT/packaging/requirements-build.txt" "$ROOT"
    # shellcheck disable=SC2034  # read by the script that sources this file
    VERSION=$("$BUILD/venv/bin/python" -c 'import paperdesk; print(paperdesk.__version__)')
}

# The one spec for every system; the bundle lands in $BUILD/dist.
run_pyinstaller() {
    echo "==> PyInstaller ($1)"
    "$BUILD/venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath "$BUILD/dist" --workpath "$BUILD/work" "$ROOT/packaging/paperdesk.spec"
}
