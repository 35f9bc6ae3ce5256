; Inno Setup 6 script: FileOrganizerPro-<version>-setup.exe from the PyInstaller bundle.
;   pyinstaller build.spec
;   iscc packaging\windows\installer.iss
; Per-user install (no administrator rights): %LOCALAPPDATA%\Programs\FileOrganizer Pro.
; The version is read from the built exe's version resource, which build.spec writes from
; pyproject.toml; pass /DAppVersion=x.y.z to iscc to override it.

#define AppName "FileOrganizer Pro"
#define AppExeName "FileOrganizerPro.exe"
#define DistDir AddBackslash(SourcePath) + "..\..\dist\FileOrganizerPro"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(DistDir + "\" + AppExeName, "ProductVersion")
#endif
#define NumericVersion GetVersionNumbersString(DistDir + "\" + AppExeName)
#if AppVersion == ""
  #error Could not read the version from dist\FileOrganizerPro\FileOrganizerPro.exe: build the bundle first
#endif
; The folder platformdirs gives the app on Windows (app/paths.py): database, settings, logs, cache.
#define DataDirName "FileOrganizerPro"

[Setup]
AppId={{8D9D32EF-DEB7-47D7-BC46-BDACA883D5BC}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=FileOrganizer Pro contributors
VersionInfoVersion={#NumericVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#SourcePath}..\..\dist
OutputBaseFilename=FileOrganizerPro-{#AppVersion}-setup
SetupIconFile={#SourcePath}..\..\resources\icons\fileorganizer-pro.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
LicenseFile={#SourcePath}..\..\LICENSE
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "startatlogin"; Description: "Start {#AppName} when I sign in (watch folders from the tray)"; GroupDescription: "Other:"; Flags: unchecked
Name: "contextmenu"; Description: "Add ""Open with {#AppName}"" to the folder menu in Explorer"; GroupDescription: "Other:"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Registry]
; start at login (current user only), in the tray: the same value the app's own setting writes
; (app/gui/autostart.py), so the setting shows it as on
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#AppName}"; ValueData: """{app}\{#AppExeName}"" --minimized"; Tasks: startatlogin; Flags: uninsdeletevalue
; right-click on a folder, and on the background of an open folder
Root: HKCU; Subkey: "Software\Classes\Directory\shell\FileOrganizerPro"; ValueType: string; ValueName: ""; ValueData: "Open with {#AppName}"; Tasks: contextmenu; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Directory\shell\FileOrganizerPro"; ValueType: string; ValueName: "Icon"; ValueData: """{app}\{#AppExeName}"",0"; Tasks: contextmenu
Root: HKCU; Subkey: "Software\Classes\Directory\shell\FileOrganizerPro\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExeName}"" ""%1"""; Tasks: contextmenu
Root: HKCU; Subkey: "Software\Classes\Directory\Background\shell\FileOrganizerPro"; ValueType: string; ValueName: ""; ValueData: "Open with {#AppName}"; Tasks: contextmenu; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Directory\Background\shell\FileOrganizerPro"; ValueType: string; ValueName: "Icon"; ValueData: """{app}\{#AppExeName}"",0"; Tasks: contextmenu
Root: HKCU; Subkey: "Software\Classes\Directory\Background\shell\FileOrganizerPro\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExeName}"" ""%V"""; Tasks: contextmenu

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
{ The uninstaller keeps the user's data (index database, settings, history, logs) unless the user
  says otherwise; a silent uninstall always keeps it. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usUninstall then
    { start at login may also have been switched on in the app's settings: never leave it
      pointing at a removed program }
    RegDeleteValue(HKEY_CURRENT_USER, 'Software\Microsoft\Windows\CurrentVersion\Run', '{#AppName}');
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\{#DataDirName}');
    if DirExists(DataDir) and not UninstallSilent then
    begin
      if MsgBox('Also delete your {#AppName} data (file index, settings, history and logs) in ' +
                DataDir + '?' + #13#10#13#10 + 'Choose No to keep it for a later installation.',
                mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
      begin
        DelTree(DataDir, True, True, True);
        RegDeleteKeyIncludingSubkeys(HKEY_CURRENT_USER, 'Software\{#DataDirName}');
      end;
    end;
  end;
end;
