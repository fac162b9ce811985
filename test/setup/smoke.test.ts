import { expect, inject, it } from 'vitest';

it('has a redis url from the global setup', () => {
  expect(inject('redisUrl')).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
});
