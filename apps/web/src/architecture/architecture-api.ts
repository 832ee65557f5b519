// The control service's API as the page uses it (/api/admin/control/*, admin only). Types come from
// the generated OpenAPI types, like the rest of the storefront's.
import type { ApiClient } from '../api';
import type { components, paths } from '../generated/api-types';

type Schemas = components['schemas'];
export type ControlFrame = Schemas['ControlFrame'];
export type DiagramNode = Schemas['DiagramNode'];
export type ScenarioRun = Schemas['ScenarioRun'];
export type ScenarioList =
  paths['/api/admin/control/scenarios']['get']['responses'][200]['content']['application/json'];
export type Scenario = ScenarioList['items'][number];
export type RunRequest = NonNullable<
  paths['/api/admin/control/runs']['post']['requestBody']
>['content']['application/json'];

export const controlApi = (api: ApiClient) => ({
  scenarios: () => api.request<ScenarioList>('GET', '/admin/control/scenarios'),
  runs: () => api.request<{ items: ScenarioRun[] }>('GET', '/admin/control/runs'),
  start: (request: RunRequest) => api.request<ScenarioRun>('POST', '/admin/control/runs', request),
  snapshot: () => api.request<ControlFrame>('GET', '/admin/control/snapshot'),
});

/** EventSource cannot send an Authorization header: the gateway accepts the token in the query on stream routes. */
export const controlStreamUrl = (token: string): string =>
  `/api/admin/control/stream?access_token=${encodeURIComponent(token)}`;
