// The public account pages under /account: the set-password page an activation email links to, and
// the small user portal. Loaded on demand, outside the admin gate, with a query cache of their own so
// neither the admin's session nor its "401 means signed out" rule ever mixes with the user's.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Route, Routes } from 'react-router';
import { isApiError } from '../api/client.ts';
import { ProfilePage } from './ProfilePage.tsx';
import { SetPasswordPage } from './SetPasswordPage.tsx';
import { AccountNotFound, UserSignInPage } from './UserSignInPage.tsx';

const accountQueries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      retry: (count, err) => !(isApiError(err) && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

/** Mounted by App at /account/*; paths here are relative to it. */
export function AccountRoutes() {
  return (
    <QueryClientProvider client={accountQueries}>
      <Routes>
        <Route index element={<UserSignInPage />} />
        <Route path="set-password" element={<SetPasswordPage />} />
        <Route path="profile" element={<ProfilePage />} />
        <Route path="*" element={<AccountNotFound />} />
      </Routes>
    </QueryClientProvider>
  );
}
