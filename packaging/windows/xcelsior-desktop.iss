; Inno Setup 6 script for Xcelsior Desktop: a per-user install (no administrator rights) of the PyInstaller
; one-folder bundle, with an optional "start at login" task and an uninstaller.
;
; Built by packaging/build.py --inno (on Windows), which passes the defines below:
;   ISCC /DAppVersion=0.1.0 /DSourceDir=<repo>\dist\xcelsior-desktop /DOutputDir=<repo>\dist /DRepoRoot=<repo> xcelsior-desktop.iss

#ifndef AppVersion
  #error AppVersion is not defined: build with packaging/build.py --inno (it reads pyproject.toml)
#endif
#ifndef RepoRoot
  #define RepoRoot "..\.."
#endif
#ifndef SourceDir
  #define SourceDir RepoRoot + "\dist\xcelsior-desktop"
#endif
#ifndef OutputDir
  #define OutputDir RepoRoot + "\dist"
#endif
#define AppName "Xcelsior Desktop"
#define AppExeName "xcelsior-desktop.exe"
; The Run value name the app's own "Start at login" setting uses (xcelsior_desktop/platform/autostart.py RUN_VALUE)
#define RunValueName "Xcelsior Desktop"

[Setup]
; AppId identifies the installation for upgrades and the uninstaller: never change it
AppId={{6C1D2F0B-6A1E-4D53-9C55-3E0F4B8A7D21}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Xcelsior Desktop developers
AppPublisherURL=https://github.com/xcelsior-desktop/xcelsior-desktop
VersionInfoVersion={#AppVersion}
; Per-user: installs into %LOCALAPPDATA%\Programs, writes only HKCU, never asks for elevation
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile={#RepoRoot}\resources\xcelsior-desktop.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
LicenseFile={#RepoRoot}\resources\licenses\Apache-2.0.txt
OutputDir={#OutputDir}
OutputBaseFilename=xcelsior-desktop-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running copy (it is in the tray) before replacing its files, and start it again afterwards
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "startatlogin"; Description: "Start {#AppName} when I log in"; GroupDescription: "Startup:"
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the whole bundle: stale libraries from an older version must not linger
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{autoprograms}\{#AppName} demo (no meter needed)"; Filename: "{app}\{#AppExeName}"; Parameters: "demo"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#RunValueName}"; ValueData: """{app}\{#AppExeName}"""; Flags: uninsdeletevalue; Tasks: startatlogin

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// The app's Settings can turn start-at-login on after installing (without the task): remove that value too.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RegDeleteValue(HKEY_CURRENT_USER, 'Software\Microsoft\Windows\CurrentVersion\Run', '{#RunValueName}');
end;
