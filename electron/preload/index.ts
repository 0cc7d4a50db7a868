// The preload (sandboxed: it gets `electron`'s contextBridge and ipcRenderer, no Node): exposes ONE object to the
// page, `window.workbench` (bridge.ts), and nothing else. Built by electron-vite into dist/electron/preload/index.cjs.
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_KEY, createBridge } from './bridge';

contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge(ipcRenderer));
