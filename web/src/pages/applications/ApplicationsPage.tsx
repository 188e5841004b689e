import type { Application } from '../../api/types.ts';
import { NamedList } from '../../components/NamedList.tsx';
import { formatNumber } from '../../lib/format.ts';

export function ApplicationsPage() {
  return (
    <NamedList<Application>
      title="Applications"
      noun="application"
      path="/api/v1/applications"
      route="applications"
      columns={[{ header: 'User groups', cell: (a) => formatNumber(a.groupCount) }]}
      emptyHint="Add an application, then connect its SCIM 2.0 service on the Identity Management tab to import and provision users."
    />
  );
}
