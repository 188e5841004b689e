// The admin's pick in the import table. Selecting across pages may need the server's list of ids;
// errors stay next to the selection bar.
import { useState } from 'react';
import type { PreviewPage, PreviewUser } from '../../api/types.ts';
import { emptySelection, expand, fetchMatching, withExcluded, withUsers, type PreviewQuery, type Selection } from './selection.ts';

interface Listed {
  /** The filters of the list on screen. */
  filter: Pick<PreviewQuery, 'q' | 'status'>;
  page: PreviewPage | undefined;
  matching: number;
  newMatching: number;
}

export function useImportSelection(id: string, { filter, page, matching, newMatching }: Listed) {
  const [selection, setSelection] = useState<Selection>(emptySelection);
  const [selecting, setSelecting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const select = async (change: (sel: Selection) => Promise<Selection>) => {
    setSelecting(true);
    setError(null);
    try {
      setSelection(await change(selection));
    } catch (err) {
      setError(err);
    } finally {
      setSelecting(false);
    }
  };
  const toggle = (users: PreviewUser[], on: boolean) =>
    void select(async (sel) => withExcluded(sel, users, on) ?? withUsers(await expand(sel, id), users, on));
  const selectAllNew = () =>
    void select(async () => {
      // Without a search, "all new" is the API's {all: true}: every new user, however many.
      if (!filter.q) return { kind: 'allNew', count: page?.counts.new ?? 0, excluded: new Set() };
      return withUsers(emptySelection(), await fetchMatching(id, { q: filter.q, status: 'new' }, newMatching), true);
    });
  const selectAll = () =>
    void select(async () => withUsers(emptySelection(), await fetchMatching(id, { q: filter.q, status: filter.status }, matching), true));
  const clear = () => setSelection(emptySelection());
  return { selection, selecting, error, setError, toggle, selectAllNew, selectAll, clear };
}
