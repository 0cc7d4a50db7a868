// View state: which cell has focus or is being edited, the theme preference, toasts, the shortcut sheet and the
// confirm dialog. Never saved with the notebook and never undone (the theme preference is remembered locally).
import { create } from 'zustand';
import type { CellId } from './notebook-schema';

export type ThemePref = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export interface Toast {
  id: number;
  message: string;
  tone: 'info' | 'warning' | 'error';
  action?: { label: string; run: () => void };
  timeoutMs: number; // 0: stays until dismissed
}

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  resolve: (ok: boolean) => void;
}

export interface ViewState {
  focusedCell: CellId | null;
  editingCell: CellId | null;
  theme: ThemePref;
  systemDark: boolean;
  toasts: Toast[];
  sheetOpen: boolean;
  confirm: ConfirmRequest | null;
  /** Per Experiment cell: the raw JSON editor holds text that does not parse (the document keeps the last good spec). */
  jsonDraftError: Record<CellId, string>;
  /** Per Experiment cell: which spec editor is open (absent: closed, only the summary line shows). */
  specPanel: Record<CellId, SpecPanel>;
}

export type SpecPanel = 'form' | 'json';

const THEME_KEY = 'swhwb.theme';

function storedTheme(): ThemePref {
  try {
    const t = globalThis.localStorage?.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

export const useView = create<ViewState>(() => ({
  focusedCell: null,
  editingCell: null,
  theme: storedTheme(),
  systemDark: false,
  toasts: [],
  sheetOpen: false,
  confirm: null,
  jsonDraftError: {},
  specPanel: {},
}));

/** The theme in effect: the preference, or the system's when it is 'system'. */
export const resolveTheme = (pref: ThemePref, systemDark: boolean): Theme =>
  pref === 'system' ? (systemDark ? 'dark' : 'light') : pref;

/** The next preference of the toggle: away from what is shown first, so every click visibly changes something. */
export function nextTheme(pref: ThemePref, systemDark: boolean): ThemePref {
  const sys: Theme = systemDark ? 'dark' : 'light';
  const other: Theme = systemDark ? 'light' : 'dark';
  if (pref === 'system') return other;
  if (pref === other) return sys;
  return 'system';
}

let nextToastId = 1;

export const viewActions = {
  focusCell(id: CellId | null): void {
    if (useView.getState().focusedCell !== id) useView.setState({ focusedCell: id });
  },
  edit(id: CellId | null): void {
    if (useView.getState().editingCell !== id) useView.setState({ editingCell: id });
  },
  setTheme(theme: ThemePref): void {
    try {
      if (theme === 'system') globalThis.localStorage?.removeItem(THEME_KEY);
      else globalThis.localStorage?.setItem(THEME_KEY, theme);
    } catch {
      // storage unavailable: the choice lasts for this page only
    }
    useView.setState({ theme });
  },
  cycleTheme(): void {
    const { theme, systemDark } = useView.getState();
    viewActions.setTheme(nextTheme(theme, systemDark));
  },
  setSystemDark(systemDark: boolean): void {
    useView.setState({ systemDark });
  },
  toast(message: string, opts: Partial<Omit<Toast, 'id' | 'message'>> = {}): number {
    const id = nextToastId++;
    const toast: Toast = {
      id,
      message,
      tone: opts.tone ?? 'info',
      action: opts.action,
      timeoutMs: opts.timeoutMs ?? 6000,
    };
    useView.setState((s) => ({ toasts: [...s.toasts.slice(-3), toast] }));
    return id;
  },
  /** Drop the toasts that offer an action (they belong to what was on screen before). */
  dismissActionToasts(): void {
    if (useView.getState().toasts.some((t) => t.action))
      useView.setState((s) => ({ toasts: s.toasts.filter((t) => !t.action) }));
  },
  dismissToast(id: number): void {
    useView.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
  setSheet(open: boolean): void {
    useView.setState({ sheetOpen: open });
  },
  /** Ask the user; resolves true when they confirm. A second request answers the first with false. */
  confirm(title: string, message: string, confirmLabel: string): Promise<boolean> {
    useView.getState().confirm?.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        useView.setState({ confirm: null });
        resolve(ok);
      };
      useView.setState({ confirm: { title, message, confirmLabel, resolve: done } });
    });
  },
  setJsonDraftError(id: CellId, error: string | null): void {
    const cur = useView.getState().jsonDraftError;
    if ((cur[id] ?? null) === error) return;
    const { [id]: _old, ...rest } = cur;
    useView.setState({ jsonDraftError: error === null ? rest : { ...rest, [id]: error } });
  },
};

export function setSpecPanel(id: CellId, panel: SpecPanel | null): void {
  const { [id]: _old, ...rest } = useView.getState().specPanel;
  useView.setState({ specPanel: panel === null ? rest : { ...rest, [id]: panel } });
}

export const useSpecPanel = (id: CellId): SpecPanel | null => useView((s) => s.specPanel[id] ?? null);
export const useThemeResolved = (): Theme => useView((s) => resolveTheme(s.theme, s.systemDark));
export const useIsFocused = (id: CellId): boolean => useView((s) => s.focusedCell === id);
export const useIsEditing = (id: CellId): boolean => useView((s) => s.editingCell === id);
