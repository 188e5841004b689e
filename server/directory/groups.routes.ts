import type { Deps } from '../deps.ts';
import type { App } from '../http/common.ts';

export function groupRoutes(_app: App, _deps: Deps): void {}
