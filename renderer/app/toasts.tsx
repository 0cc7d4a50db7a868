// Toasts: short notices at the bottom ("Cell deleted · Undo", "your last save won"); each goes away on its own
// unless it asks for a decision.
import { useEffect } from 'react';
import { useView, viewActions, type Toast } from '../state/view';
import { Icon } from './icons';

function ToastItem({ toast }: { toast: Toast }) {
  useEffect(() => {
    if (!toast.timeoutMs) return;
    const t = setTimeout(() => viewActions.dismissToast(toast.id), toast.timeoutMs);
    return () => clearTimeout(t);
  }, [toast]);
  return (
    <div className={`toast toast-${toast.tone}`} role={toast.tone === 'error' ? 'alert' : 'status'}>
      <span className="toast-text">{toast.message}</span>
      {toast.action && (
        <button
          type="button"
          className="btn btn-small toast-action"
          onClick={() => {
            toast.action?.run();
            viewActions.dismissToast(toast.id);
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button
        type="button"
        className="icon-btn icon-btn-small"
        aria-label="Dismiss"
        onClick={() => viewActions.dismissToast(toast.id)}
      >
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useView((s) => s.toasts);
  return (
    <div className="toasts" aria-label="Notifications" role="region">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}
