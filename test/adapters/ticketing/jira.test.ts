import { ticketingContract } from '../../contracts/ticketing.contract.js';
import { jiraSubject } from '../../fakes/jira/jira-subject.js';

ticketingContract('jira', () => jiraSubject());
