// Screens behind sign-in: without a session the admin goes to the sign-in page and comes back after;
// an admin who must enrol MFA first goes to the security page.
import { Navigate, Outlet, useLocation } from 'react-router';
import { useMe } from '../api/session.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { Loading } from './Loading.tsx';

export function AuthGate() {
  const { data: me, isPending, error } = useMe();
  const location = useLocation();
  if (isPending) return <Loading label="Checking your session…" />;
  if (error) return <ErrorAlert error={error} title="Roster could not check your session" />;
  if (!me) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  // The organization requires MFA and this admin has none: enrolment is the only open page.
  if (me.mfaEnrolmentRequired && location.pathname !== '/security') return <Navigate to="/security" replace />;
  return <Outlet />;
}
