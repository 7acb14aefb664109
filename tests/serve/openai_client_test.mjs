// `ttt serve` driven by the official openai package, the way users' tools talk to it.
// usage: node openai_client_test.mjs PATH/TO/ttt PATH/TO/tests/fixtures
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import OpenAI from 'openai';

const [ttt, fixtures] = process.argv.slice(2);
if (!ttt || !fixtures) {
  console.error('usage: node openai_client_test.mjs TTT FIXTURES_DIR');
  process.exit(2);
}
const MODEL = 'stories260K';
const KEY = 'test-key';

// Starts the server on a free loopback port (--port 0) and reads the port from its first line.
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(ttt, ['serve', '--model', `${fixtures}/stories260K/stories260K.bin`, '--alias', MODEL,
      '--port', '0', '--parallel', '4', '--ctx', '512', '--queue', '32', '--api-key', KEY, '--no-cache'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "listening" line in 60 s; output: ${out}`)), 60000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/([\d.]+):(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, base: `http://${m[1]}:${m[2]}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`ttt serve exited with ${code}: ${out}`)));
  });
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

let base, client;

test('models lists the served model', async () => {
  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), [MODEL]);
});

test('completions: greedy text and usage', async () => {
  const r = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 16, temperature: 0 });
  assert.equal(r.object, 'text_completion');
  assert.ok(r.choices[0].text.length > 0);
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 16);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + 16);
});

test('chat: an assistant message through the chat template', async () => {
  const r = await client.chat.completions.create({
    model: MODEL, messages: [{ role: 'system', content: 'You tell stories.' }, { role: 'user', content: 'A story' }],
    max_tokens: 12, temperature: 0, logprobs: true, top_logprobs: 2,
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.ok(r.choices[0].logprobs.content.length > 0);
  assert.equal(r.choices[0].logprobs.content[0].top_logprobs.length, 2);
});

test('chat streaming adds up to the same text as without streaming', async () => {
  const request = { model: MODEL, messages: [{ role: 'user', content: 'Tell me about a dog' }], max_tokens: 20,
    temperature: 0, seed: 1 };
  const whole = await client.chat.completions.create(request);
  const stream = await client.chat.completions.create({ ...request, stream: true });
  let text = '', finish = null, chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.ok(chunks > 2, `only ${chunks} chunks`);
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, whole.choices[0].finish_reason);
});

test('sampling with a seed repeats; stop strings cut the text', async () => {
  const request = { model: MODEL, prompt: 'Once upon a time', max_tokens: 24, temperature: 0.9, top_p: 0.9, seed: 5 };
  const a = await client.completions.create(request), b = await client.completions.create(request);
  assert.equal(a.choices[0].text, b.choices[0].text);
  const greedy = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 40, temperature: 0 });
  const word = greedy.choices[0].text.trim().split(/\s+/)[2];
  const cut = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 40, temperature: 0, stop: [word] });
  assert.equal(cut.choices[0].finish_reason, 'stop');
  assert.ok(!cut.choices[0].text.includes(word));
  assert.ok(greedy.choices[0].text.startsWith(cut.choices[0].text));
});

test('embeddings of a decoder model: a 400 saying it is not an encoder', async () => {
  await assert.rejects(client.embeddings.create({ model: MODEL, input: 'hello' }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.status, 400);
    assert.match(e.message, /not an encoder/);
    return true;
  });
});

test('concurrent clients share the batch and each gets its own answer', async () => {
  const prompts = ['Once upon a time', 'The dog', 'Lily went to the park', 'Tom had a red ball'];
  const alone = [];
  for (const p of prompts) alone.push((await client.completions.create({ model: MODEL, prompt: p, max_tokens: 24, temperature: 0 })).choices[0].text);
  const together = await Promise.all([...prompts, ...prompts].map((p) =>
    client.completions.create({ model: MODEL, prompt: p, max_tokens: 24, temperature: 0 })));
  together.forEach((r, i) => assert.equal(r.choices[0].text, alone[i % prompts.length], `client ${i}`));
});

test('a cancelled stream frees its slot', async () => {
  const metric = async (name) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(text.match(new RegExp(`^ttt_${name} (\\S+)$`, 'm'))[1]);
  };
  const before = await metric('requests_cancelled_total');
  const controller = new AbortController();
  // ignore_eos (an extension the client passes through): 500 tokens, far more than it reads before hanging up.
  const stream = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 500,
    temperature: 0.8, stream: true, ignore_eos: true }, { signal: controller.signal });
  // The client ends the iteration quietly on abort (or throws an abort error, depending on timing).
  let chunks = 0;
  try {
    for await (const _ of stream) {
      if (++chunks === 3) {
        controller.abort();
        break;
      }
    }
  } catch (e) {
    assert.ok(e.name === 'APIUserAbortError' || e.name === 'AbortError', String(e));
  }
  assert.equal(chunks, 3);
  for (let i = 0; i < 100 && (await metric('requests_cancelled_total')) === before; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await metric('requests_cancelled_total'), before + 1);
  for (let i = 0; i < 100 && (await metric('slots_active')) !== 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await metric('slots_active'), 0);
});

test('bad requests: bad JSON, wrong key, unknown model, context exceeded', async () => {
  const bad = await fetch(`${base}/v1/chat/completions`, { method: 'POST', body: '{"model": ',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' } });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /invalid JSON/);

  const wrong = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(wrong.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);

  await assert.rejects(client.completions.create({ model: 'gpt-4o', prompt: 'a', max_tokens: 2 }),
    (e) => e instanceof OpenAI.BadRequestError && e.code === 'model_not_found');

  await assert.rejects(client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 2000 }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.code, 'context_length_exceeded');
    assert.match(e.message, /context is 512 tokens, but \d+ were requested/);
    return true;
  });
});

const { child, base: url } = await startServer();
base = url;
client = new OpenAI({ baseURL: `${base}/v1`, apiKey: KEY, maxRetries: 0, timeout: 120000 });
let failed = 0;
for (const { name, fn } of tests) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n${e.stack ?? e}`);
  }
}
child.kill('SIGTERM');
console.log(`${tests.length - failed}/${tests.length} passed`);
process.exit(failed ? 1 : 0);
