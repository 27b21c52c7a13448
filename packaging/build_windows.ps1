# Build the Windows bundle and its setup .exe:  powershell -File packaging\build_windows.ps1
# Leaves dist\paperdesk-<version>-windows-x64-setup.exe (and the one-folder bundle in build\windows\dist\paperdesk).
# Needs Python 3.11+ and Inno Setup 6 (iscc.exe on PATH, or in its default folder). Not run on the Linux
# development machine: .github/workflows/bundles.yml runs it on windows-latest.
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
$Build = Join-Path $Root "build\windows"
if (Test-Path $Build) { Remove-Item -Recurse -Force $Build }
New-Item -ItemType Directory -Force -Path $Build, (Join-Path $Root "dist") | Out-Null

Write-Host "==> build venv"
python -m venv "$Build\venv"
$Py = "$Build\venv\Scripts\python.exe"
& $Py -m pip install --quiet --disable-pip-version-check -c "$Root\packaging\constraints.txt" `
    -r "$Root\packaging\requirements-build.txt" "$Root"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
$Version = & $Py -c "import paperdesk; print(paperdesk.__version__)"

Write-Host "==> icon"
& $Py "$Root\packaging\make_icons.py" --ico "$Root\packaging\windows\paperdesk.ico"
if ($LASTEXITCODE -ne 0) { throw "make_icons.py failed" }

Write-Host "==> PyInstaller (paperdesk $Version)"
& "$Build\venv\Scripts\pyinstaller.exe" --noconfirm --clean --log-level WARN `
    --distpath "$Build\dist" --workpath "$Build\work" "$Root\packaging\paperdesk.spec"
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

Write-Host "==> Inno Setup"
$Iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $Iscc /Qp "/DAppVersion=$Version" "/DSourceDir=$Build\dist\paperdesk" "/DOutputDir=$Root\dist" `
    "$Root\packaging\windows\paperdesk.iss"
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "$Root\dist\paperdesk-$Version-windows-x64-setup.exe"
