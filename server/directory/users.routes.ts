import type { Deps } from '../deps.ts';
import type { App } from '../http/common.ts';

export function userRoutes(_app: App, _deps: Deps): void {}
