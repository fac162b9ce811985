import type { H3 } from 'h3';
import type { IssuesViewService } from '../../../core/app/issues/issues-view.service.js';
import { errorResponse, json } from '../errors.js';

export interface IssuesRoutesDeps {
  issuesView: IssuesViewService;
}

/** The Issues and Blockers views (admin-ui-and-api.txt "Issues", "Blockers"). */
export function issuesRoutes(app: H3, { issuesView }: IssuesRoutesDeps): void {
  app.get('/api/issues', async () => (await issuesView.issues()).match((view) => json(view), errorResponse));
  app.get('/api/blockers', async () => (await issuesView.blockers()).match((view) => json(view), errorResponse));
}
