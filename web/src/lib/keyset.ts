// Keyset paging in the browser: the API hands out opaque cursors, so "previous" is a stack of the
// cursors that led here. A new resetKey (filters, sort) starts again from the first page.
import { useCallback, useState } from 'react';

export interface KeysetPager {
  cursor: string | undefined;
  pageIndex: number;
  hasPrevious: boolean;
  next: (nextCursor: string | null | undefined) => void;
  previous: () => void;
  first: () => void;
}

type Stack = (string | undefined)[];

export function useKeysetPager(resetKey: string): KeysetPager {
  const [state, setState] = useState<{ key: string; stack: Stack }>({ key: resetKey, stack: [undefined] });
  const stack: Stack = state.key === resetKey ? state.stack : [undefined];
  const current = (s: { key: string; stack: Stack }) => (s.key === resetKey ? s.stack : [undefined]);
  const next = useCallback(
    (c: string | null | undefined) => {
      if (c) setState((s) => ({ key: resetKey, stack: [...current(s), c] }));
      // eslint-disable-next-line react-hooks/exhaustive-deps
    },
    [resetKey],
  );
  const previous = useCallback(() => {
    setState((s) => {
      const st = current(s);
      return { key: resetKey, stack: st.length > 1 ? st.slice(0, -1) : st };
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resetKey]);
  const first = useCallback(() => setState({ key: resetKey, stack: [undefined] }), [resetKey]);
  return { cursor: stack[stack.length - 1], pageIndex: stack.length - 1, hasPrevious: stack.length > 1, next, previous, first };
}
