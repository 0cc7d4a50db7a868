// The window: top bar, sidebar, the notebook column, toasts and dialogs; connects to the workspace on mount.
import { useEffect } from 'react';
import { ConfirmDialog, ShortcutSheet } from './dialogs';
import { NotebookView } from './notebook-view';
import { Sidebar } from './sidebar';
import { useThemeSync } from './theme';
import { installMenuCommands } from './menu-commands';
import { Toasts } from './toasts';
import { TopBar } from './top-bar';
import { useHotkeys } from './use-hotkeys';
import { connectWorkspace } from './workspace';

export function App() {
  useThemeSync();
  useHotkeys();
  useEffect(() => connectWorkspace(), []);
  useEffect(() => installMenuCommands(), []);
  return (
    <div className="app">
      <TopBar />
      <div className="app-body">
        <Sidebar />
        <main className="main" id="main">
          <NotebookView />
        </main>
      </div>
      <Toasts />
      <ShortcutSheet />
      <ConfirmDialog />
    </div>
  );
}
