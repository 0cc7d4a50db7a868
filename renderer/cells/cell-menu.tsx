// A cell's "More actions" menu in its header, for the actions a kind adds in the registry (an Experiment cell:
// Export to PyTorch).
import { Icon } from '../app/icons';
import { MenuButton, type MenuItem } from '../app/menu';

export type CellMenuItem = MenuItem;

export function CellMenu({ label, items }: { label: string; items: CellMenuItem[] }) {
  return (
    <MenuButton
      label={`${label} cell actions`}
      items={items}
      buttonLabel={`More ${label} cell actions`}
      buttonClass="icon-btn icon-btn-small"
      title="More actions"
    >
      <Icon name="more" size={15} />
    </MenuButton>
  );
}
