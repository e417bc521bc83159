// LangChain's CohereRerank document compressor, given a cohere-ai client pointed at the gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CohereClient } from 'cohere-ai';
import { CohereRerank } from '@langchain/cohere';
import { Document } from '@langchain/core/documents';
import { answer, apiKey, baseUrl, documents, model, query, unservedDetail, unservedModel } from './support.js';

const client = new CohereClient({ token: apiKey, environment: baseUrl });
const pages = () => documents.map((text, i) => new Document({ pageContent: text, metadata: { source: `doc-${i}` } }));

test('compressDocuments keeps the best topN with their relevance scores', async () => {
  const reranker = new CohereRerank({ client, model, topN: 2 });

  const compressed = await reranker.compressDocuments(pages(), query);

  assert.equal(compressed.length, 2);
  assert.equal(compressed[0].pageContent, documents[answer]);
  assert.equal(compressed[0].metadata.source, `doc-${answer}`);
  assert.ok(compressed[0].metadata.relevanceScore > compressed[1].metadata.relevanceScore);
});

test('compressDocuments error: the message carries the server\'s detail', async () => {
  const reranker = new CohereRerank({ client, model: unservedModel, topN: 2 });

  await assert.rejects(reranker.compressDocuments(pages(), query), (error) => {
    assert.ok(error.message.includes(unservedDetail), error.message);
    return true;
  });
});
