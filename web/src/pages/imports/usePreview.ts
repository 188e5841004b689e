// The import preview's list: its filters in the URL, its pages, reading it again, and how many of a
// search's matches are new. While the application is still being read, the page and its counts are
// asked again every second (they grow as the read goes on) until the read ends or fails.
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { client, data } from '../../api/client.ts';
import { importKeys } from '../../api/keys.ts';
import { useKeysetPager } from '../../lib/keyset.ts';
import { useUrlState } from '../../lib/url-state.ts';
import type { PreviewQuery } from './selection.ts';

export const PREVIEW_PAGE = 50;
/** How often a page is asked again while the application is read. */
const READING_POLL_MS = 1000;
const DEFAULTS = { q: '', status: '', sort: 'userName', order: 'asc' };

const fetchPreview = (id: string, query: PreviewQuery, signal?: AbortSignal) =>
  data(client.GET('/api/v1/applications/{id}/import/users', { params: { path: { id }, query }, signal }));

/** The URL's filters as the API's query (the server refuses values it does not know). */
export const previewFilter = (s: typeof DEFAULTS): Pick<PreviewQuery, 'q' | 'status' | 'sort' | 'order'> =>
  ({ q: s.q, status: s.status || undefined, sort: s.sort, order: s.order }) as PreviewQuery;

export function usePreview(id: string) {
  const queryClient = useQueryClient();
  const [s, set] = useUrlState(DEFAULTS);
  const [search, setSearch] = useState(s.q);
  const [debounced] = useDebouncedValue(search.trim(), 300);
  useEffect(() => {
    if (debounced !== s.q) set({ q: debounced });
  }, [debounced, s.q, set]);
  // Bumped after a refresh: cursors of the old list are no good for the new one.
  const [generation, setGeneration] = useState(0);
  const pager = useKeysetPager(JSON.stringify([s, generation]));
  // The snapshot being read: when its read fails, the server answers with that failure.
  const watching = useRef<string | undefined>(undefined);
  const preview = useQuery({
    queryKey: importKeys.previewPage(id, s, generation, pager.cursor),
    queryFn: ({ signal }) =>
      fetchPreview(id, { ...previewFilter(s), limit: PREVIEW_PAGE, cursor: pager.cursor, snapshotId: watching.current }, signal),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    refetchInterval: (q) => (q.state.data?.snapshot.status === 'reading' && !q.state.error ? READING_POLL_MS : false),
  });
  const reading = preview.data?.snapshot.status === 'reading';
  watching.current = reading ? preview.data?.snapshot.id : undefined;
  const [refreshing, setRefreshing] = useState(false);
  /** Reads the application's users again over SCIM. */
  const refresh = async () => {
    setRefreshing(true);
    try {
      await fetchPreview(id, { refresh: 'true', limit: 1 });
      setGeneration((g) => g + 1);
      await queryClient.invalidateQueries({ queryKey: importKeys.preview(id) });
    } finally {
      setRefreshing(false);
    }
  };
  const matching = preview.data?.total ?? 0;
  // With a search, how many of the matches are new is one more (cheap) question to the server.
  const newOfSearch = useQuery({
    queryKey: importKeys.newOfSearch(id, s.q, generation),
    queryFn: () => fetchPreview(id, { q: s.q, status: 'new', limit: 1 }),
    enabled: Boolean(s.q) && !s.status,
    staleTime: 60_000,
    refetchInterval: reading ? READING_POLL_MS : false,
  });
  const newCount = preview.data?.counts.new ?? 0;
  const newMatching = s.status === 'new' ? matching : s.status ? 0 : s.q ? (newOfSearch.data?.total ?? 0) : newCount;
  return { s, set, search, setSearch, pager, preview, refresh, refreshing, matching, newMatching, reading };
}
