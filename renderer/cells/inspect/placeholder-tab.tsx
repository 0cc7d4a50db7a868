// Shown by a tab whose view is not built yet (the Atlas and Walkthrough tabs until their helper registers them).
import type { CellId } from '../../state/notebook-schema';

export function PlaceholderTab(_: { id: CellId }) {
  return <p className="lens-hint">This view is not available in this build yet.</p>;
}
