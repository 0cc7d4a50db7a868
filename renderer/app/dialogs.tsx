// Modal dialogs on the native <dialog> (focus trap, Escape, inert page for free): the shortcut sheet, generated
// from the one HOTKEYS table, and the confirmation the app asks before destructive steps.
import { useEffect, useRef, type ReactNode } from 'react';
import { useView, viewActions } from '../state/view';
import { displayCombo, HOTKEYS, type Hotkey } from './hotkeys';

function Modal(props: { open: boolean; onClose(): void; labelledBy: string; role?: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      className="modal"
      role={props.role}
      aria-labelledby={props.labelledBy}
      onClose={props.onClose}
      onClick={(e) => e.target === ref.current && props.onClose()}
    >
      {props.open && props.children}
    </dialog>
  );
}

const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform);

export function ShortcutSheet() {
  const open = useView((s) => s.sheetOpen);
  const close = () => viewActions.setSheet(false);
  const groups = new Map<string, Hotkey[]>();
  for (const h of Object.values(HOTKEYS) as Hotkey[]) groups.set(h.group, [...(groups.get(h.group) ?? []), h]);
  const mac = open && isMac();
  return (
    <Modal open={open} onClose={close} labelledBy="sheet-title">
      <h2 id="sheet-title">Keyboard shortcuts</h2>
      <p className="modal-note">
        Cell keys work when a cell itself has focus (click its frame, or press Escape in it).
      </p>
      <div className="sheet">
        {[...groups].map(([group, keys]) => (
          <section key={group}>
            <h3>{group}</h3>
            <dl>
              {keys.map((h) => (
                <div key={h.label} className="sheet-row">
                  <dt>
                    {h.keys.map((k) => (
                      <kbd key={k}>{displayCombo(k, mac)}</kbd>
                    ))}
                  </dt>
                  <dd>{h.label}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
      <div className="modal-actions">
        <button type="button" className="btn" autoFocus onClick={close}>
          Close
        </button>
      </div>
    </Modal>
  );
}

export function ConfirmDialog() {
  const req = useView((s) => s.confirm);
  return (
    <Modal open={req !== null} onClose={() => req?.resolve(false)} labelledBy="confirm-title" role="alertdialog">
      {req && (
        <>
          <h2 id="confirm-title">{req.title}</h2>
          <p>{req.message}</p>
          <div className="modal-actions">
            <button type="button" className="btn" autoFocus onClick={() => req.resolve(false)}>
              Cancel
            </button>
            <button type="button" className="btn btn-danger" onClick={() => req.resolve(true)}>
              {req.confirmLabel}
            </button>
          </div>
        </>
      )}
    </Modal>
  );
}
