// Routes. Pages load on demand so the first load stays small; sign-in is in the main bundle.
import { lazy, type ComponentType } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { AppLayout } from './components/AppLayout.tsx';
import { AuthGate } from './components/AuthGate.tsx';
import { LazyPage } from './components/Loading.tsx';
import { SignInPage } from './pages/SignInPage.tsx';

function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}

const SetupPage = page(() => import('./pages/SetupPage.tsx'), 'SetupPage');
const UsersPage = page(() => import('./pages/users/UsersPage.tsx'), 'UsersPage');
const NewUserPage = page(() => import('./pages/users/NewUserPage.tsx'), 'NewUserPage');
const UserPage = page(() => import('./pages/users/UserPage.tsx'), 'UserPage');
const GroupsPage = page(() => import('./pages/groups/GroupsPage.tsx'), 'GroupsPage');
const GroupPage = page(() => import('./pages/groups/GroupPage.tsx'), 'GroupPage');
const ApplicationsPage = page(() => import('./pages/applications/ApplicationsPage.tsx'), 'ApplicationsPage');
const ApplicationPage = page(() => import('./pages/applications/ApplicationPage.tsx'), 'ApplicationPage');
const ScimSourcesPage = page(() => import('./pages/scim-sources/ScimSourcesPage.tsx'), 'ScimSourcesPage');
const ScimSourcePage = page(() => import('./pages/scim-sources/ScimSourcePage.tsx'), 'ScimSourcePage');
const ImportPage = page(() => import('./pages/imports/ImportPage.tsx'), 'ImportPage');
const RunPage = page(() => import('./pages/imports/RunPage.tsx'), 'RunPage');
const InsightsPage = page(() => import('./pages/admin/InsightsPage.tsx'), 'InsightsPage');
const OutboxPage = page(() => import('./pages/admin/OutboxPage.tsx'), 'OutboxPage');
const ApiKeysPage = page(() => import('./pages/admin/ApiKeysPage.tsx'), 'ApiKeysPage');
const AdminsPage = page(() => import('./pages/admin/AdminsPage.tsx'), 'AdminsPage');
const SecurityPage = page(() => import('./pages/security/SecurityPage.tsx'), 'SecurityPage');
const NotFoundPage = page(() => import('./pages/NotFoundPage.tsx'), 'NotFoundPage');
// Public user pages (set-password link, user portal): their own chunk, outside the admin gate.
const AccountRoutes = page(() => import('./account/AccountRoutes.tsx'), 'AccountRoutes');

export function App() {
  return (
    <Routes>
      <Route path="/signin" element={<SignInPage />} />
      <Route
        path="/setup"
        element={
          <LazyPage>
            <SetupPage />
          </LazyPage>
        }
      />
      <Route
        path="/account/*"
        element={
          <LazyPage>
            <AccountRoutes />
          </LazyPage>
        }
      />
      <Route element={<AuthGate />}>
        <Route element={<AppLayout />}>
          <Route index element={<Navigate to="/users" replace />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="users/new" element={<NewUserPage />} />
          <Route path="users/:id" element={<UserPage />} />
          <Route path="groups" element={<GroupsPage />} />
          <Route path="groups/:id" element={<GroupPage />} />
          <Route path="applications" element={<ApplicationsPage />} />
          <Route path="applications/:id" element={<ApplicationPage />} />
          <Route path="applications/:id/import" element={<ImportPage />} />
          <Route path="import-runs/:id" element={<RunPage />} />
          <Route path="scim-sources" element={<ScimSourcesPage />} />
          <Route path="scim-sources/:id" element={<ScimSourcePage />} />
          <Route path="insights" element={<InsightsPage />} />
          <Route path="mail" element={<OutboxPage />} />
          <Route path="api-keys" element={<ApiKeysPage />} />
          <Route path="admins" element={<AdminsPage />} />
          <Route path="security" element={<SecurityPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
