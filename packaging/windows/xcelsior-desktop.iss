; Inno Setup 6 script for Xcelsior Desktop: a per-user install (no administrator rights) of the PyInstaller
; one-folder bundle, with an optional "start at login" task and an uninstaller.
;
; Built by packaging/build.py --inno (on Windows, or under Wine with build.py --wine), which passes the defines below:
;   ISCC /DAppVersion=0.1.0 /DSourceDir=<repo>\dist\windows\xcelsior-desktop /DOutputDir=<repo>\dist /DRepoRoot=<repo> xcelsior-desktop.iss
; Silent use: setup.exe /VERYSILENT /SUPPRESSMSGBOXES [/TASKS="startatlogin"]; unins000.exe /VERYSILENT
; [/DELETEUSERDATA] (settings and history stay unless asked for, as with the Linux packages).

#ifndef AppVersion
  #error AppVersion is not defined: build with packaging/build.py --inno (it reads pyproject.toml)
#endif
#ifndef RepoRoot
  #define RepoRoot "..\.."
#endif
#ifndef SourceDir
  #define SourceDir RepoRoot + "\dist\windows\xcelsior-desktop"
#endif
#ifndef OutputDir
  #define OutputDir RepoRoot + "\dist"
#endif
#ifndef Compression
  ; build.py's install check passes a faster one for its throwaway "older version" installer only
  #define Compression "lzma2/max"
#endif
#define AppName "Xcelsior Desktop"
#define AppExeName "xcelsior-desktop.exe"
; The Run value name the app's own "Start at login" setting uses (xcelsior_desktop/platform/autostart.py RUN_VALUE)
#define RunValueName "Xcelsior Desktop"
; The app's own folders (xcelsior_desktop/platform/paths.py): settings in %APPDATA%, history and logs in %LOCALAPPDATA%
#define UserDataName "Xcelsior Desktop"

[Setup]
; AppId identifies the installation for upgrades and the uninstaller: never change it
AppId={{6C1D2F0B-6A1E-4D53-9C55-3E0F4B8A7D21}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Xcelsior Desktop developers
AppPublisherURL=https://github.com/xcelsior-desktop/xcelsior-desktop
; The installer's file properties (Explorer, Properties, Details); the program's own come from the PyInstaller spec
VersionInfoVersion={#AppVersion}
VersionInfoProductVersion={#AppVersion}
VersionInfoCompany=Xcelsior Desktop developers
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} Setup
VersionInfoCopyright=Apache License 2.0
; Per-user: installs into %LOCALAPPDATA%\Programs, writes only HKCU, never asks for elevation. The folder is
; written out rather than {autopf} (which is the same folder for a per-user install on Windows): Wine cannot
; expand that constant, and the install is tested under Wine.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
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
Compression={#Compression}
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
// /DELETEUSERDATA on the uninstaller's command line: also remove settings, history and logs without asking.
function DeleteUserDataRequested(): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), '/DELETEUSERDATA') = 0 then
      Result := True;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DeleteData: Boolean;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    // The app's Settings can turn start-at-login on after installing (without the task): remove that value too.
    RegDeleteValue(HKEY_CURRENT_USER, 'Software\Microsoft\Windows\CurrentVersion\Run', '{#RunValueName}');
    // The user's data stays unless they ask: a reinstall or an upgrade through uninstalling finds it again.
    DeleteData := DeleteUserDataRequested();
    if (not DeleteData) and (not UninstallSilent()) then
      DeleteData := MsgBox('Also delete your {#AppName} settings, energy history and logs?', mbConfirmation,
                           MB_YESNO or MB_DEFBUTTON2) = IDYES;
    if DeleteData then
    begin
      DelTree(ExpandConstant('{userappdata}\{#UserDataName}'), True, True, True);
      DelTree(ExpandConstant('{localappdata}\{#UserDataName}'), True, True, True);
    end;
  end;
end;
