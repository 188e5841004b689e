import '@mantine/core/styles.css';
import './portal.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { isApiError } from './api/client.ts';
import { sessionKeys } from './api/keys.ts';
import { App } from './App.tsx';

// A 401 anywhere means the session ended: forget the admin, and the gate sends him to sign in. A 403
// MFA_ENROLMENT_REQUIRED means the organization now requires MFA: the gate sends him to enrol.
const onError = (err: unknown) => {
  if (isApiError(err, 401)) queryClient.setQueryData(sessionKeys.me, null);
  else if (isApiError(err, 403) && err.code === 'MFA_ENROLMENT_REQUIRED') void queryClient.invalidateQueries({ queryKey: sessionKeys.me });
};

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      retry: (count, err) => !(isApiError(err) && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

const theme = createTheme({ primaryColor: 'blue', defaultRadius: 'sm' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
