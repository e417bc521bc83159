// What every client test shares: the gateway's address and keys (from the environment, set by ClusterTests'
// NpmClientTests), the documents, and a fetch that records what a client sent and what it was answered.
import assert from 'node:assert/strict';

function required(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run these tests through NpmClientTests, or export it (see README.md)`);
  return value;
}

/** The gateway's base address without a trailing slash, e.g. http://127.0.0.1:8080. */
export const baseUrl = required('RERANK_URL').replace(/\/+$/, '');
export const apiKey = required('RERANK_API_KEY');
/** A second tenant's key, whose request rate the 429 tests use up. */
export const limitedApiKey = required('RERANK_LIMITED_API_KEY');
/** The served cross-encoder (GET /info's model_id), or an alias the gateway maps to it. */
export const model = required('RERANK_MODEL');

export const query = 'What is the capital of France?';
export const documents = [
  'Sourdough bread rises thanks to wild yeast.',
  'Paris is the capital and largest city of France.',
  'The violin has four strings tuned in fifths.',
];
/** The index in `documents` of the one passage that answers `query`. */
export const answer = 1;

/** A name the gateway does not serve: its 400 lists the served ones. */
export const unservedModel = 'no-such/model';
export const unservedDetail = "'no-such/model' is not served by this cluster";

/** A fetch that records each exchange: when it was sent and answered (ms, performance clock), status and Retry-After. */
export function recordingFetch() {
  const exchanges = [];
  const fetcher = async (input, init) => {
    const sent = performance.now();
    const response = await fetch(input, init);
    exchanges.push({
      url: String(input instanceof Request ? input.url : input),
      sent,
      answered: performance.now(),
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
    });
    return response;
  };
  return { fetch: fetcher, exchanges };
}

/**
 * Uses up the limited tenant's request tokens (Limits:Burst) with cheap reads until the gateway refuses one,
 * so that the next request of that tenant is refused with 429 and Retry-After.
 */
export async function exhaustLimitedTenant() {
  for (let i = 0; i < 1000; i++) {
    const response = await fetch(`${baseUrl}/v1/indexes`, { headers: { authorization: `Bearer ${limitedApiKey}` } });
    await response.arrayBuffer();
    if (response.status === 429) {
      return;
    }
    assert.equal(response.status, 200);
  }
  assert.fail('the limited tenant was never refused: is Limits:Burst small enough?');
}

/**
 * Every exchange after a 429 was sent no sooner than the Retry-After that 429 named (measured from when the 429
 * arrived), and the call ended with a success after at least one refusal.
 */
export function assertRetryAfterHonoured(exchanges) {
  const refusals = exchanges.filter((e) => e.status === 429);
  assert.ok(refusals.length >= 1, `no 429 was seen: ${JSON.stringify(exchanges)}`);
  assert.equal(exchanges.at(-1).status, 200, JSON.stringify(exchanges));
  for (let i = 1; i < exchanges.length; i++) {
    const previous = exchanges[i - 1];
    if (previous.status !== 429) continue;
    assert.ok(previous.retryAfter, 'a 429 without Retry-After');
    const waited = exchanges[i].sent - previous.answered;
    assert.ok(waited >= Number(previous.retryAfter) * 1000,
      `sent again ${waited.toFixed(0)} ms after a 429 that said Retry-After: ${previous.retryAfter}`);
  }
}
