import { client, data } from '../../api/client.ts';
import { applicationKeys } from '../../api/keys.ts';
import type { Application } from '../../api/types.ts';
import { NamedList, type NamedResource } from '../../components/NamedList.tsx';
import { formatNumber } from '../../lib/format.ts';

const applications: NamedResource<Application> = {
  route: 'applications',
  keys: applicationKeys,
  list: (query, signal) => data(client.GET('/api/v1/applications', { params: { query }, signal })),
  create: (body) => data(client.POST('/api/v1/applications', { body })),
};

export function ApplicationsPage() {
  return (
    <NamedList<Application>
      title="Applications"
      noun="application"
      resource={applications}
      columns={[{ header: 'User groups', cell: (a) => formatNumber(a.groupCount) }]}
      emptyHint="Add an application, then connect its SCIM 2.0 service on the Identity Management tab to import and provision users."
    />
  );
}
