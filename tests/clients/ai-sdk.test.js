// The AI SDK's rerank() with its Cohere provider at the provider's default path layout (<baseURL>/rerank, baseURL ending in /v2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rerank } from 'ai';
import { createCohere } from '@ai-sdk/cohere';
import { answer, apiKey, baseUrl, documents, model, query, unservedDetail, unservedModel } from './support.js';

const cohere = createCohere({ baseURL: `${baseUrl}/v2`, apiKey });

test('rerank() ranks the answer first and returns the documents reordered', async () => {
  const { ranking, rerankedDocuments } = await rerank({ model: cohere.reranking(model), query, documents, topN: 2 });

  assert.equal(ranking.length, 2);
  assert.equal(ranking[0].originalIndex, answer);
  assert.ok(ranking[0].score > ranking[1].score);
  assert.equal(rerankedDocuments[0], documents[answer]);
});

test('rerank() error: e.message is the server\'s message, not only the status text', async () => {
  await assert.rejects(rerank({ model: cohere.reranking(unservedModel), query, documents, maxRetries: 0 }), (error) => {
    assert.equal(error.statusCode, 400);
    assert.ok(error.message.includes(unservedDetail), error.message);
    return true;
  });
});
