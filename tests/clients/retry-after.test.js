// 429 with Retry-After: each client is refused once its tenant's rate is used up, waits what the gateway said, and succeeds.
import { test } from 'node:test';
import { CohereClient, CohereClientV2 } from 'cohere-ai';
import { rerank } from 'ai';
import { createCohere } from '@ai-sdk/cohere';
import { CohereRerank } from '@langchain/cohere';
import { Document } from '@langchain/core/documents';
import { assertRetryAfterHonoured, baseUrl, documents, exhaustLimitedTenant, limitedApiKey, model, query, recordingFetch } from './support.js';

/** Uses up the limited tenant's rate, then makes the call with a recording fetch and checks every retry waited long enough. */
async function afterARefusal(call) {
  const recorder = recordingFetch();
  await exhaustLimitedTenant();
  await call(recorder.fetch);
  assertRetryAfterHonoured(recorder.exchanges);
}

test('cohere-ai v1 waits out Retry-After', () => afterARefusal((fetch) =>
  new CohereClient({ token: limitedApiKey, environment: baseUrl, fetch }).rerank({ model, query, documents })));

test('cohere-ai v2 waits out Retry-After', () => afterARefusal((fetch) =>
  new CohereClientV2({ token: limitedApiKey, environment: baseUrl, fetch }).rerank({ model, query, documents })));

test('AI SDK rerank() waits out Retry-After', () => afterARefusal((fetch) =>
  rerank({ model: createCohere({ baseURL: `${baseUrl}/v2`, apiKey: limitedApiKey, fetch }).reranking(model), query, documents })));

test('LangChain CohereRerank waits out Retry-After', () => afterARefusal((fetch) =>
  new CohereRerank({ client: new CohereClient({ token: limitedApiKey, environment: baseUrl, fetch }), model, topN: 1 })
    .compressDocuments(documents.map((text) => new Document({ pageContent: text })), query)));
