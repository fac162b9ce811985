import { ticketingContract } from '../../../testing/contracts/ticketing.contract.js';
import { githubIssuesSubject } from '../../fakes/github/github-issues-subject.js';

ticketingContract('github issues', async () => (await githubIssuesSubject()).subject);
