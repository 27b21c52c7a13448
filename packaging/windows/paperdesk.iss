; Inno Setup script for the Paperdesk setup .exe. Built by packaging/build_windows.ps1, which passes:
;   /DAppVersion=<x.y.z>  /DSourceDir=<the PyInstaller one-folder bundle>  /DOutputDir=<where the .exe goes>
; Not built on the Linux development machine: the GitHub Actions workflow (.github/workflows/bundles.yml)
; builds and smoke-tests it on windows-latest.

#ifndef AppVersion
  #error Pass /DAppVersion=x.y.z (build_windows.ps1 does)
#endif
#ifndef SourceDir
  #error Pass /DSourceDir=path\to\dist\paperdesk (build_windows.ps1 does)
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
AppId={{6B7E0C52-3F1D-4C51-9A55-5B0F7E1C2A11}
AppName=Paperdesk
AppVersion={#AppVersion}
AppPublisher=Paperdesk
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\Paperdesk
DefaultGroupName=Paperdesk
DisableProgramGroupPage=yes
; Installs for the current user without administrator rights (locked-down machines); an administrator can
; still choose "for all users" in the dialog, or pass /ALLUSERS.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=paperdesk-{#AppVersion}-windows-x64-setup
SetupIconFile=paperdesk.ico
UninstallDisplayIcon={app}\paperdesk.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Paperdesk"; Filename: "{app}\paperdesk.exe"
Name: "{autodesktop}\Paperdesk"; Filename: "{app}\paperdesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\paperdesk.exe"; Description: "{cm:LaunchProgram,Paperdesk}"; Flags: nowait postinstall skipifsilent

; The library lives in %LOCALAPPDATA%\Paperdesk, outside {app}: uninstalling never deletes a librarian's work.
