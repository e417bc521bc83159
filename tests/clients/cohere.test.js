// cohere-ai, the official Cohere SDK: v1 rerank (CohereClient) and v2 rerank (CohereClientV2), pointed at the gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CohereClient, CohereClientV2 } from 'cohere-ai';
import { answer, apiKey, baseUrl, documents, model, query, unservedDetail, unservedModel } from './support.js';

const v1 = new CohereClient({ token: apiKey, environment: baseUrl });
const v2 = new CohereClientV2({ token: apiKey, environment: baseUrl });

test('v1 rerank of strings: top_n, return_documents, best first', async () => {
  const response = await v1.rerank({ model, query, documents, topN: 2, returnDocuments: true });

  assert.equal(response.results.length, 2);
  assert.equal(response.results[0].index, answer);
  assert.equal(response.results[0].document.text, documents[answer]);
  assert.ok(response.results[0].relevanceScore > response.results[1].relevanceScore);
  assert.ok(response.results.every((r) => r.relevanceScore >= 0 && r.relevanceScore <= 1));
  assert.equal(response.meta.apiVersion.version, '1');
});

test('v1 rerank of objects with rank_fields returns the caller\'s fields', async () => {
  const objects = [
    { title: 'Baking', body: documents[0], shelf: 'kitchen' },
    { title: 'France', body: 'Its capital is Paris.', shelf: 'geography' },
    { title: 'Music', body: documents[2], shelf: 'music' },
  ];

  const response = await v1.rerank({ model, query, documents: objects, rankFields: ['title', 'body'], topN: 1, returnDocuments: true });

  assert.equal(response.results.length, 1);
  assert.equal(response.results[0].index, 1);
  assert.deepEqual(response.results[0].document, objects[1]);
});

test('v2 rerank (CohereClientV2, POST /v2/rerank)', async () => {
  const response = await v2.rerank({ model, query, documents, topN: 3 });

  assert.deepEqual(response.results.map((r) => r.index).sort(), [0, 1, 2]);
  assert.equal(response.results[0].index, answer);
  assert.equal(response.meta.apiVersion.version, '2');
  assert.ok(response.meta.billedUnits.searchUnits >= 1);
});

test('v1 error: the message carries the server\'s detail', async () => {
  await assert.rejects(v1.rerank({ model: unservedModel, query, documents }), (error) => {
    assert.equal(error.statusCode, 400);
    assert.match(error.message, new RegExp(unservedDetail.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    return true;
  });
});

test('v2 error: the message carries the server\'s detail', async () => {
  await assert.rejects(v2.rerank({ model: unservedModel, query, documents }), (error) => {
    assert.equal(error.statusCode, 400);
    assert.ok(error.message.includes(unservedDetail), error.message);
    return true;
  });
});
