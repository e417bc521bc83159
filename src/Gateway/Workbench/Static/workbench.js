'use strict';
// The relevance workbench: stage 1 against stage 2 for your own queries, through the public API with
// your API key. Plain JavaScript, no build step; server text only ever enters the page as text nodes.

const KEY_STORAGE = 'rerankcluster.apiKey';
// Words too common to be worth highlighting in a passage.
const STOP_WORDS = new Set(['a', 'about', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'can', 'do', 'does', 'for', 'from', 'how', 'in',
  'into', 'is', 'it', 'its', 'not', 'of', 'on', 'or', 'than', 'that', 'the', 'their', 'then', 'there', 'this', 'to', 'was', 'what', 'when',
  'where', 'which', 'who', 'why', 'with']);

const $ = id => document.getElementById(id);

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** A call to the gateway's API, beside /ui wherever the gateway is mounted; failures throw the server's problem-details message. */
async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) {
    headers.authorization = `Bearer ${key}`;
  }
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(new URL(`../${path}`, location.href), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new Error(`The gateway did not answer: ${error.message}`);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page, say): its text is the message below.
  }
  if (!response.ok) {
    // Problem details (RFC 7807): detail says what was wrong; the gateway copies it to message too.
    throw new ApiError(response.status, json?.detail ?? json?.message ?? json?.title ?? (text || response.statusText));
  }
  return json;
}

function showError(error) {
  $('error').textContent = error instanceof ApiError ? `${error.status}: ${error.message}` : error.message;
  $('error').hidden = false;
}

function clearError() {
  $('error').textContent = '';
  $('error').hidden = true;
}

/** An element with properties and children (strings become text nodes, never markup). */
function el(tag, properties = {}, ...children) {
  const element = Object.assign(document.createElement(tag), properties);
  element.append(...children.filter(child => child !== null && child !== undefined));
  return element;
}

function number(value, digits) {
  return typeof value === 'number' ? value.toFixed(digits) : '—';
}

// ---- signing in -------------------------------------------------------------------------------

async function signIn(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
  try {
    const list = await call('GET', 'v1/indexes');
    showIndexes(list.indexes);
    setSignedIn(true);
    clearError();
  } catch (error) {
    sessionStorage.removeItem(KEY_STORAGE);
    setSignedIn(false);
    showError(error);
  }
}

function setSignedIn(signedIn) {
  document.body.dataset.signedIn = String(signedIn);
  $('sign-in').hidden = signedIn;
  $('signed-in').hidden = !signedIn;
  $('key').value = '';
}

function showIndexes(indexes) {
  const select = $('index');
  select.replaceChildren(...indexes.map(index =>
    el('option', { value: index.name, textContent: `${index.name} · ${index.cross_encoder}` })));
  if (indexes.length === 0) {
    select.append(el('option', { value: '', disabled: true, selected: true, textContent: 'No index yet: create one with PUT /v1/indexes/{name}' }));
  }
  $('models').replaceChildren(...[...new Set(indexes.map(index => index.cross_encoder))].map(model => el('option', { value: model })));
  showIndexModel(indexes);
  select.onchange = () => showIndexModel(indexes);
}

function showIndexModel(indexes) {
  const index = indexes.find(i => i.name === $('index').value);
  // A search reranks with its index's cross-encoder: choosing the index chooses the model.
  $('index-model').textContent = index
    ? `Bi-encoder ${index.bi_encoder}, cross-encoder ${index.cross_encoder}, ${index.shards} shards × ${index.replicas} replicas.`
    : '';
}

// ---- highlighting -----------------------------------------------------------------------------

function queryTerms(query) {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  // Longest first, so that a longer term wins where two overlap.
  return [...new Set(words.filter(word => word.length > 1 && !STOP_WORDS.has(word)))].sort((a, b) => b.length - a.length);
}

function highlighted(text, terms) {
  const fragment = document.createDocumentFragment();
  if (terms.length === 0) {
    fragment.append(text);
    return fragment;
  }
  // Whole words, with the commonest English endings: "rise" marks "rises", "coral" marks "corals".
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.join('|')})(?:s|es|ed|ing)?(?![\\p{L}\\p{N}])`, 'giu');
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    fragment.append(text.slice(last, match.index), el('mark', { textContent: match[0] }));
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

// ---- results ----------------------------------------------------------------------------------

/** How many places reranking moved an item (up is good news for it), and where it came from or went. */
function movement(moved, caption) {
  const [className, arrow] = moved > 0 ? ['delta up', `▲ ${moved}`] : moved < 0 ? ['delta down', `▼ ${-moved}`] : ['delta', '='];
  return el('span', { className }, `${arrow} ${caption}`);
}

/** One ranked item; chunk is absent for a pasted passage. */
function hitItem({ rank, id, chunk, badge, scores, text, outside }, terms) {
  const item = el('li', { className: outside ? 'hit outside' : 'hit' });
  item.dataset.id = id;
  if (chunk !== undefined) {
    item.dataset.chunk = String(chunk);
  }
  item.append(
    el('div', { className: 'hit-head' }, el('span', { className: 'rank' }, `#${rank}`), badge,
      el('span', { className: 'doc' }, chunk === undefined ? id : `${id} · chunk ${chunk}`)),
    el('dl', { className: 'scores' }, ...scores.map(([name, value]) => el('div', {}, el('dt', {}, name), el('dd', {}, value)))),
    text === null || text === undefined ? null : el('p', { className: 'text' }, highlighted(text, terms)));
  return item;
}

/** What a stage-1 score is in the mode that answered: a cosine, a BM25 score or a fused score. */
function stage1ScoreName(model) {
  switch (model.stage1) {
    case 'lexical': return 'BM25';
    case 'hybrid': return `fused (${model.stage1_fusion ?? 'rrf'})`;
    default: return 'cosine';
  }
}

/** A result's scores; a degraded answer is in stage-1 order and its scores are stage 1's, so it is labelled as such. */
function stage2Scores(response, hit) {
  const stage1 = stage1ScoreName(response.model);
  return response.degraded
    ? [[`${stage1} (not reranked)`, number(hit.score, 3)]]
    : [['logit', number(hit.score, 3)], ['probability', number(hit.probability, 3)], [`stage-1 ${stage1}`, number(hit.stage1_score, 3)]];
}

function showSearch(response, query) {
  const terms = queryTerms(query);
  const key = hit => `${hit.id}\u0000${hit.chunk}`;
  const reranked = new Map(response.results.map((hit, i) => [key(hit), { hit, rank: i + 1 }]));

  $('stage1').replaceChildren(...(response.stage1 ?? []).map((candidate, i) => {
    const after = reranked.get(key(candidate));
    return hitItem({
      rank: i + 1,
      id: candidate.id,
      chunk: candidate.chunk,
      badge: after ? movement(i + 1 - after.rank, `to stage 2 #${after.rank}`) : el('span', { className: 'delta' }, 'not in the top k'),
      scores: after ? stage2Scores(response, after.hit) : [[stage1ScoreName(response.model), number(candidate.score, 3)]],
      text: candidate.text,
      outside: after === undefined,
    }, terms);
  }));
  $('stage2').replaceChildren(...response.results.map((hit, i) => hitItem({
    rank: i + 1,
    id: hit.id,
    chunk: hit.chunk,
    badge: movement(hit.stage1_rank - (i + 1), `from stage 1 #${hit.stage1_rank}`),
    scores: stage2Scores(response, hit),
    text: hit.text,
    outside: false,
  }, terms)));

  const model = response.model;
  $('not-relevance').hidden = model.scores_are_relevance;
  $('not-relevance').replaceChildren(el('strong', {}, 'Scores are not relevance. '),
    `${model.cross_encoder} is not a trained relevance model: read its order and numbers as a demonstration only.`);
  $('warnings').replaceChildren(...(response.warnings ?? []).map(warning => el('li', {}, warning)));
  const t = response.timings;
  const timings = [
    ['cross-encoder', model.cross_encoder], ['stage 1', model.stage1 === 'hybrid' ? `hybrid (${model.stage1_fusion ?? 'rrf'})` : model.stage1],
    ['stage-1 weight', String(model.stage1_weight)],
    ['embed', `${number(t.embed_ms, 1)} ms`], ['stage-1 search', `${number(t.stage1_ms, 1)} ms`], ['rerank', `${number(t.rerank_ms, 1)} ms`],
    ['queue', `${number(t.queue_ms, 1)} ms`], ['tokenize', `${number(t.tokenize_ms, 1)} ms`], ['inference', `${number(t.inference_ms, 1)} ms`],
    ['total', `${number(t.total_ms, 1)} ms`], ['batches', String(t.batches)], ['padded tokens', String(t.padded_tokens)],
    ['silos', t.rerank_silos.length ? t.rerank_silos.join(', ') : '—'],
  ];
  $('timings').replaceChildren(...timings.map(([name, value]) => el('div', {}, el('dt', {}, name), el('dd', {}, value))));
  const found = response.stage1?.length ?? 0;
  $('search-status').textContent = `Stage 1's top ${found} ${found === 1 ? 'candidate' : 'candidates'}, reranked: the top ${response.results.length}.`;
}

async function search(event) {
  event.preventDefault();
  clearError();
  const query = $('query').value;
  const candidates = Number($('candidates').value);
  const results = $('results');
  // stage1_depth = candidates: the stage-1 column is exactly the candidates stage 2 reranked.
  const body = { query, candidates, top_k: Number($('top-k').value), stage1_depth: candidates, return_documents: true };
  // "hybrid:linear" names the mode and its fusion; empty leaves both to the index's default.
  const [mode, fusion] = $('stage1-mode').value.split(':');
  if (mode) {
    body.stage1 = mode;
  }
  if (fusion) {
    body.stage1_fusion = fusion;
  }
  if ($('stage1-weight').value !== '') {
    body.stage1_weight = Number($('stage1-weight').value);
  }
  results.dataset.state = 'loading';
  $('search-status').textContent = 'Searching…';
  try {
    showSearch(await call('POST', `v1/indexes/${encodeURIComponent($('index').value)}/search`, body), query);
    results.dataset.state = 'done';
  } catch (error) {
    for (const id of ['stage1', 'stage2', 'timings', 'warnings']) {
      $(id).replaceChildren();
    }
    $('not-relevance').hidden = true;
    $('search-status').textContent = '';
    showError(error);
    results.dataset.state = 'error';
  }
}

async function rerank(event) {
  event.preventDefault();
  clearError();
  const query = $('rerank-query').value;
  const passages = $('passages').value.split(/\n\s*\n/).map(passage => passage.trim()).filter(passage => passage.length > 0);
  const body = { query, documents: passages, return_documents: true };
  if ($('rerank-model').value.trim() !== '') {
    body.model = $('rerank-model').value.trim();
  }
  const list = $('rerank-results');
  list.dataset.state = 'loading';
  $('rerank-status').textContent = 'Scoring…';
  try {
    const response = await call('POST', 'v1/rerank', body);
    const terms = queryTerms(query);
    list.replaceChildren(...response.results.map((result, i) => hitItem({
      rank: i + 1,
      id: `passage ${result.index + 1}`,
      badge: movement(result.index - i, `pasted #${result.index + 1}`),
      scores: [['probability', number(result.relevance_score, 4)]],
      text: result.document?.text,
      outside: false,
    }, terms)));
    const warnings = response.meta?.warnings ?? [];
    $('rerank-not-relevance').hidden = warnings.length === 0;
    $('rerank-not-relevance').replaceChildren(el('strong', {}, 'Scores are not relevance. '), warnings.join(' '));
    $('rerank-status').textContent = `${response.model} scored ${passages.length} passages (${response.usage.total_tokens} tokens).`;
    list.dataset.state = 'done';
  } catch (error) {
    list.replaceChildren();
    $('rerank-status').textContent = '';
    showError(error);
    list.dataset.state = 'error';
  }
}

function selectTab(selected) {
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const active = tab === selected;
    tab.setAttribute('aria-selected', String(active));
    $(tab.getAttribute('aria-controls')).hidden = !active;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in').addEventListener('submit', event => {
    event.preventDefault();
    signIn($('key').value.trim());
  });
  $('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    setSignedIn(false);
    for (const id of ['index', 'stage1', 'stage2', 'timings', 'warnings', 'rerank-results']) {
      $(id).replaceChildren();
    }
  });
  $('search-form').addEventListener('submit', search);
  $('rerank-form').addEventListener('submit', rerank);
  for (const tab of document.querySelectorAll('[role=tab]')) {
    tab.addEventListener('click', () => selectTab(tab));
  }
  // Signed in earlier in this tab (the key outlives a reload, never the tab).
  const stored = sessionStorage.getItem(KEY_STORAGE);
  if (stored !== null) {
    signIn(stored);
  }
});
