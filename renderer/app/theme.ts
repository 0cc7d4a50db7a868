// The theme on <html data-theme="light|dark">: the preference (state/view.ts), following the system by default.
import { useEffect } from 'react';
import { resolveTheme, useView, viewActions } from '../state/view';

const query = () => window.matchMedia('(prefers-color-scheme: dark)');

/** Apply the current theme now (before the first render, so there is no flash of the wrong one). */
export function applyTheme(): void {
  viewActions.setSystemDark(query().matches);
  const { theme, systemDark } = useView.getState();
  document.documentElement.dataset.theme = resolveTheme(theme, systemDark);
}

/** Keep <html data-theme> in step with the preference and the system setting. */
export function useThemeSync(): void {
  useEffect(() => {
    const mq = query();
    const onSystem = () => viewActions.setSystemDark(mq.matches);
    mq.addEventListener('change', onSystem);
    const unsub = useView.subscribe((s) => {
      document.documentElement.dataset.theme = resolveTheme(s.theme, s.systemDark);
    });
    return () => {
      mq.removeEventListener('change', onSystem);
      unsub();
    };
  }, []);
}
