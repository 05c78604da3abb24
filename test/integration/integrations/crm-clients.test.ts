import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AmoCrmClient } from '../../../src/integrations/amocrm/client.js';
import { Bitrix24Client } from '../../../src/integrations/bitrix24/client.js';
import { CrmApiError } from '../../../src/integrations/crm-errors.js';
import { RatePacer } from '../../../src/integrations/rate-pacer.js';
import { startAmoCrmSimulator, type AmoCrmSimulator, type AmoFault } from '../../../src/simulators/amocrm/index.js';
import { startBitrix24Simulator, type Bitrix24Simulator, type BitrixFault } from '../../../src/simulators/bitrix24/index.js';

let amo: AmoCrmSimulator;
let b24: Bitrix24Simulator;
const none = <T>(fn: () => Promise<T>) => fn();

beforeAll(async () => {
  [amo, b24] = await Promise.all([startAmoCrmSimulator({ perSecond: 1000 }), startBitrix24Simulator({ perSecond: 1000 })]);
});
afterAll(async () => Promise.all([amo.close(), b24.close()]));

async function failure(call: () => Promise<unknown>): Promise<CrmApiError> {
  try {
    await call();
  } catch (err) {
    if (err instanceof CrmApiError) return err;
    throw err;
  }
  throw new Error('the call did not fail');
}

describe('the amoCRM client classifies what amoCRM says', () => {
  const client = (token = amo.token) => new AmoCrmClient({ baseUrl: amo.url, token, timeoutMs: 300, pace: none });
  test.each<[string, AmoFault | 'wrong token', { kind: string; status: number | null; retryable: boolean }]>([
    ['a wrong token', 'wrong token', { kind: 'auth', status: 401, retryable: false }],
    ['a revoked token', { status: 401 }, { kind: 'auth', status: 401, retryable: false }],
    ['an unpaid account', { status: 402 }, { kind: 'permanent', status: 402, retryable: false }],
    ['the rate limit', { status: 429 }, { kind: 'rate', status: 429, retryable: true }],
    ['an outage', { status: 503 }, { kind: 'transient', status: 503, retryable: true }],
    ['no answer', { hang: true }, { kind: 'transient', status: null, retryable: true }],
  ])('%s', async (_, fault, expected) => {
    if (fault !== 'wrong token') amo.fail(fault);
    const err = await failure(() => client(fault === 'wrong token' ? 'x'.repeat(40) : amo.token).findContacts('77010000000', new AbortController().signal));
    expect({ kind: err.kind, status: err.status, retryable: err.retryable }).toEqual(expected);
    expect(err.message).not.toContain(amo.token);
    if (err.kind === 'auth') expect(err.hint).toContain('botctl integrations amocrm <slug> --token <token>');
  });

  test('an empty search is an empty list (amoCRM answers 204); contacts come with their leads', async () => {
    expect(await client().findContacts('77019999999', new AbortController().signal)).toEqual([]);
    const created = await client().createLeadWithContact({ name: 'WhatsApp: A', contactName: 'A', phone: '+77019999999' }, new AbortController().signal);
    const found = await client().findContacts('77019999999', new AbortController().signal);
    expect(found.map((c) => [c.id, c._embedded?.leads?.map((l) => l.id)])).toEqual([[created.contactId, [created.leadId]]]);
  });
});

describe('the Bitrix24 client classifies what Bitrix24 says, and never shows the webhook URL', () => {
  const client = (url = b24.webhookUrl) => new Bitrix24Client({ webhookUrl: url, timeoutMs: 300, pace: none });
  const secret = () => b24.webhookUrl.split('/').at(-2)!;
  test.each<[string, BitrixFault | 'wrong secret' | 'unknown method', { kind: string; code: string | null; retryable: boolean }]>([
    ['a wrong webhook secret', 'wrong secret', { kind: 'auth', code: 'NO_AUTH_FOUND', retryable: false }],
    ['an expired token', { error: 'expired_token' }, { kind: 'auth', code: 'expired_token', retryable: false }],
    ['over the limit', { error: 'QUERY_LIMIT_EXCEEDED' }, { kind: 'rate', code: 'QUERY_LIMIT_EXCEEDED', retryable: true }],
    ['an internal error', { error: 'INTERNAL_SERVER_ERROR' }, { kind: 'transient', code: 'INTERNAL_SERVER_ERROR', retryable: true }],
    ['no answer', { hang: true }, { kind: 'transient', code: null, retryable: true }],
    ['a method the portal does not have', 'unknown method', { kind: 'permanent', code: 'ERROR_METHOD_NOT_FOUND', retryable: false }],
  ])('%s', async (_, fault, expected) => {
    if (typeof fault === 'object') b24.fail(fault);
    const url = fault === 'wrong secret' ? b24.webhookUrl.replace(secret(), 'nottherightone') : b24.webhookUrl;
    const err = await failure(() => client(url).call(fault === 'unknown method' ? 'crm.nothing.here' : 'crm.contact.list', { filter: { PHONE: '+7701' } }, new AbortController().signal));
    expect({ kind: err.kind, code: err.code, retryable: err.retryable }).toEqual(expected);
    expect(err.message).not.toContain(secret());
    expect(err.message).not.toContain('/rest/');
  });
});

describe('RatePacer', () => {
  test('calls to one destination run one at a time, each its interval after the previous ended; other destinations are not slowed', async () => {
    const pacer = new RatePacer();
    const times: number[] = [];
    const start = Date.now();
    const call = async () => {
      times.push(Date.now() - start);
      await new Promise((r) => setTimeout(r, 100)); // the request's own latency counts before the next may start
    };
    await Promise.all(Array.from({ length: 5 }, () => pacer.run('bitrix24:acme', 2, call)));
    await pacer.run('amocrm:acme', 7, async () => undefined);
    expect(Date.now() - start).toBeGreaterThanOrEqual(2000);
    times.sort((a, b) => a - b);
    for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 2]!).toBeGreaterThan(1000);
    const other = Date.now();
    await pacer.run('amocrm:other', 7, async () => undefined);
    expect(Date.now() - other).toBeLessThan(50);
  });
});
