// LlamaIndex's CohereRerank node postprocessor (@llamaindex/cohere, which brings its own cohere-ai 7.14), at the gateway's address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CohereRerank } from '@llamaindex/cohere';
import { TextNode } from '@llamaindex/core/schema';
import { answer, apiKey, baseUrl, documents, model, query, unservedDetail, unservedModel } from './support.js';

const nodes = () => documents.map((text, i) => ({ node: new TextNode({ text, id_: `doc-${i}` }), score: 0 }));

test('postprocessNodes keeps the best topN, scored', async () => {
  const reranker = new CohereRerank({ apiKey, baseUrl, model, topN: 2 });

  const ranked = await reranker.postprocessNodes(nodes(), query);

  assert.equal(ranked.length, 2);
  assert.equal(ranked[0].node.id_, `doc-${answer}`);
  assert.ok(ranked[0].score > ranked[1].score);
});

test('postprocessNodes error: the message carries the server\'s detail', async () => {
  const reranker = new CohereRerank({ apiKey, baseUrl, model: unservedModel, topN: 2 });

  await assert.rejects(reranker.postprocessNodes(nodes(), query), (error) => {
    assert.ok(error.message.includes(unservedDetail), error.message);
    return true;
  });
});
