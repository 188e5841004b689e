// Filters, search and sort live in the URL so that reload, back and shared links keep them.
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

export function useUrlState<K extends string>(
  defaults: Record<K, string>,
): [Record<K, string>, (patch: Partial<Record<K, string>>) => void] {
  const [params, setParams] = useSearchParams();
  const values = {} as Record<K, string>;
  for (const k of Object.keys(defaults) as K[]) values[k] = params.get(k) ?? defaults[k];
  const set = useCallback(
    (patch: Partial<Record<K, string>>) => {
      // From the address bar, not a render's copy of it: two quick changes (a filter, then the page
      // size) must both survive, whatever render the second handler came from.
      const next = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(patch) as [K, string | undefined][]) {
        if (v === undefined || v === '' || v === defaults[k]) next.delete(k);
        else next.set(k, v);
      }
      setParams(next, { replace: true });
    },
    // defaults is a constant at each call site.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [setParams],
  );
  return [values, set];
}
