// Drives the SkMemory Memory Inspector in headless Chromium (Debian's /usr/bin/chromium, through playwright-core) like a
// person would, for tests/SkMemory.Inspector.Tests/BrowserTests.cs.
//
//   node inspector.mjs '<json>'
//
// The JSON argument: { baseUrl, adminKey, subjectKey, outDir, chromium?, timezone?,
//   ids: { evidence, xss, foreign, ownMemory, otherSubjectMemory }, search, evidenceQuote, evidenceMessage, mcpReader,
//   correctedText, correctReason, purgeReason, admin, subject, foreignText, otherSubjectText }
// Prints one JSON line per step ({"step": "...", "ok": true, ...what it saw}) and saves screenshots as <outDir>/inspector-*.png.
// Exits non-zero (after a line with "ok": false) on anything unexpected, including a page error or a console error.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = JSON.parse(process.argv[2] ?? '{}');
for (const name of ['baseUrl', 'adminKey', 'subjectKey', 'outDir', 'ids']) {
  if (!args[name]) { fail('arguments', `missing argument ${name}`); }
}

const base = args.baseUrl.replace(/\/$/, '');
const timezone = args.timezone ?? 'America/New_York';
const locale = 'en-US';
const viewport = { width: 1280, height: 800 };
const problems = [];
let current = 'start';

function emit(step, seen) { process.stdout.write(JSON.stringify({ step, ok: true, ...seen }) + '\n'); }
function fail(step, message) {
  process.stdout.write(JSON.stringify({ step, ok: false, error: String(message) }) + '\n');
  process.exit(1);
}
function expect(condition, message) { if (!condition) { throw new Error(message); } }
async function text(page, testId) { return ((await page.getByTestId(testId).first().textContent()) ?? '').trim(); }
async function texts(page, testId) { return (await page.getByTestId(testId).allTextContents()).map(t => t.trim()); }
async function shot(page, name, options = {}) {
  const path = join(args.outDir, `inspector-${name}.png`);
  await page.screenshot({ path, ...options });
  return path;
}
async function go(page, path) {
  const response = await page.goto(base + path, { waitUntil: 'load' });
  return response?.status() ?? 0;
}
async function signIn(page, key) {
  await page.getByTestId('signin-key').fill(key);
  await Promise.all([page.waitForURL(url => !url.pathname.endsWith('/signin')), page.getByTestId('signin-submit').click()]);
  return text(page, 'whoami');
}
function noProblems() { expect(problems.length === 0, 'the page reported: ' + problems.join(' | ')); }

mkdirSync(args.outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: args.chromium ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport, timezoneId: timezone, locale, colorScheme: 'light' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const dialogs = [];
  page.on('pageerror', e => problems.push(`${current}: page error ${e.message}`));
  page.on('console', m => { if (m.type() === 'error' && !/status of 40[34]/.test(m.text())) { problems.push(`${current}: console error ${m.text()}`); } });
  // The delete form asks for confirmation; a person clicks OK. Any other dialog (an injected alert) is a failure.
  page.on('dialog', async d => { dialogs.push(d.message()); await d.accept(); });

  const step = async (name, body) => {
    current = name;
    try {
      const seen = await body();
      noProblems();
      emit(name, seen ?? {});
    } catch (e) {
      fail(name, e?.message ?? e);
    }
  };

  await step('signin_page', async () => {
    await go(page, '/inspector/');
    expect(new URL(page.url()).pathname === '/inspector/signin', `not sent to the sign-in page: ${page.url()}`);
    await page.getByTestId('signin-form').waitFor();
    return { url: new URL(page.url()).pathname, screenshot: await shot(page, 'signin') };
  });

  await step('signin_admin', async () => {
    const whoami = await signIn(page, args.adminKey);
    expect(whoami.includes(args.admin), `whoami is "${whoami}", expected ${args.admin}`);
    return { whoami, url: new URL(page.url()).pathname };
  });

  await step('browse', async () => {
    const rows = await page.getByTestId('memory-row').count();
    expect(rows > 0, 'no memory rows');
    const ids = await page.getByTestId('memory-row').evaluateAll(rs => rs.map(r => r.getAttribute('data-memory-id')));
    expect(ids.includes(args.ids.evidence), 'the evidence memory is not listed');
    expect(!ids.includes(args.ids.foreign), 'another tenant\'s memory is listed');
    const screenshot = await shot(page, 'browse');
    await page.setViewportSize({ width: 375, height: 800 });
    const mobile = await shot(page, 'browse-mobile');
    await page.setViewportSize(viewport);
    return { rows, ids, screenshot, mobile };
  });

  await step('search', async () => {
    await page.getByTestId('filter-q').fill(args.search);
    await Promise.all([page.waitForURL(/[?&]q=/), page.getByTestId('filter-submit').click()]);
    const count = await text(page, 'result-count');
    expect(count.includes('best matches'), `result count says "${count}"`);
    const ids = await page.getByTestId('memory-row').evaluateAll(rs => rs.map(r => r.getAttribute('data-memory-id')));
    expect(ids[0] === args.ids.evidence, `the evidence memory is not the best match: ${ids.join(', ')}`);
    return { query: args.search, result_count: count, ids };
  });

  await step('open', async () => {
    await Promise.all([
      page.waitForURL(`**/inspector/memories/${args.ids.evidence}`),
      page.locator(`[data-testid="memory-row"][data-memory-id="${args.ids.evidence}"] [data-testid="memory-link"]`).click(),
    ]);
    const id = await page.getByTestId('memory').getAttribute('data-memory-id');
    expect(id === args.ids.evidence, `opened ${id}`);
    return { id, text: await text(page, 'memory-text'), status: await text(page, 'status') };
  });

  await step('evidence', async () => {
    await page.getByTestId('memory-evidence').waitFor();
    const quotes = await texts(page, 'evidence-quote');
    const messages = await texts(page, 'evidence-message');
    expect(quotes.includes(args.evidenceQuote), `quoted spans: ${JSON.stringify(quotes)}`);
    expect(messages.includes(args.evidenceMessage), `message ids: ${JSON.stringify(messages)}`);
    expect(await page.getByTestId('memory-evidence').isVisible(), 'the evidence section is not visible');
    return { quotes, messages };
  });

  await step('history', async () => {
    const events = await page.getByTestId('history-event').evaluateAll(es => es.map(e => e.getAttribute('data-event-type')));
    expect(events[0] === 'created', `history: ${events.join(', ')}`);
    expect(await page.getByTestId('memory-history').isVisible(), 'the history is not visible');
    return { events, actors: await texts(page, 'history-actor') };
  });

  await step('local_time', async () => {
    // The evidence's observed-at instant is fixed by the test, so the local rendering is known (EST in March).
    const time = page.locator('[data-testid="evidence-observed-at"] time');
    const datetime = await time.getAttribute('datetime');
    const shown = ((await time.textContent()) ?? '').trim();
    const fallback = ((await time.getAttribute('title')) ?? '').trim();
    const local = new Date(datetime).toLocaleString(locale, { timeZone: timezone });
    expect(fallback.endsWith('UTC'), `the UTC fallback is "${fallback}"`);
    // ICU versions differ in the space before AM/PM (U+0020 or U+202F): compare with whitespace normalized.
    const same = (a, b) => a.replace(/\s+/g, ' ') === b.replace(/\s+/g, ' ');
    expect(same(shown, local), `shown "${shown}", expected the ${timezone} rendering "${local}"`);
    expect(shown !== fallback, 'the time still shows the UTC fallback');
    return { timezone, datetime, shown, local, fallback };
  });

  await step('read_log', async () => {
    const rows = await page.getByTestId('read-entry').evaluateAll(rs => rs.map(r => Array.from(r.querySelectorAll('td')).map(td => td.textContent.trim())));
    const operations = await texts(page, 'read-operation');
    expect(operations.includes('search'), `read operations: ${JSON.stringify(operations)}`);
    expect(rows.some(r => r[1] === args.mcpReader && r[2] === 'search'), `no search by ${args.mcpReader}: ${JSON.stringify(rows)}`);
    return { reads: rows, screenshot: await shot(page, 'memory', { fullPage: true }) };
  });

  let correctedId;
  await step('correct', async () => {
    await page.getByTestId('correct-text').fill(args.correctedText);
    await page.getByTestId('correct-reason').fill(args.correctReason);
    await Promise.all([page.waitForURL(/done=corrected/), page.getByTestId('correct-submit').click()]);
    correctedId = await page.getByTestId('memory').getAttribute('data-memory-id');
    const shown = await text(page, 'memory-text');
    const notice = await text(page, 'notice');
    const supersedes = await page.getByTestId('supersedes-link').getAttribute('href');
    expect(correctedId && correctedId !== args.ids.evidence, `the correction shows ${correctedId}`);
    expect(shown === args.correctedText, `the new version shows "${shown}"`);
    expect(supersedes.endsWith(args.ids.evidence), `supersedes ${supersedes}`);
    return { id: correctedId, text: shown, notice, supersedes, version: await text(page, 'field-version') };
  });

  await step('supersede_history', async () => {
    await Promise.all([page.waitForURL(`**/inspector/memories/${args.ids.evidence}`), page.getByTestId('supersedes-link').click()]);
    const status = await text(page, 'status');
    const entry = page.locator('[data-testid="history-event"][data-event-type="superseded"]');
    expect(await entry.count() === 1, 'no superseded event in the history');
    const actor = ((await entry.getByTestId('history-actor').textContent()) ?? '').trim();
    const reason = ((await entry.getByTestId('history-reason').textContent()) ?? '').trim();
    expect(status === 'superseded', `the old version's status is ${status}`);
    expect(actor === args.admin, `the supersede was by ${actor}`);
    expect(reason === args.correctReason, `the supersede reason is "${reason}"`);
    const by = await page.getByTestId('superseded-by-link').getAttribute('href');
    expect(by.endsWith(correctedId), `superseded by ${by}`);
    return { status, actor, reason, superseded_by: by };
  });

  await step('purge', async () => {
    await go(page, `/inspector/memories/${correctedId}`);
    await page.getByTestId('delete-mode-purge').check();
    await page.getByTestId('delete-reason').fill(args.purgeReason);
    const before = dialogs.length;
    await Promise.all([page.waitForLoadState('load'), page.getByTestId('delete-submit').click()]);
    await page.getByTestId('attestation').waitFor();
    expect(dialogs.length === before + 1, 'the delete form did not ask for confirmation');
    const reason = await text(page, 'att-reason');
    const actor = await text(page, 'att-actor');
    const memories = await texts(page, 'att-memory');
    const signature = await text(page, 'att-signature');
    expect(reason === args.purgeReason, `attestation reason "${reason}"`);
    expect(actor === args.admin, `attestation actor "${actor}"`);
    expect(memories.includes(correctedId), `attestation memories ${JSON.stringify(memories)}`);
    expect(signature.includes('ES256'), `attestation signature "${signature}"`);
    expect(await page.getByTestId('att-download').isVisible(), 'no download link');
    const screenshot = await shot(page, 'attestation');
    await go(page, `/inspector/memories/${correctedId}`);
    const after = await text(page, 'memory-text');
    expect(after.includes('content erased'), `after the purge the memory shows "${after}"`);
    return { confirm: dialogs[dialogs.length - 1], reason, actor, memories, signature, after, screenshot };
  });

  await step('xss', async () => {
    const before = dialogs.length;
    await go(page, `/inspector/memories/${args.ids.xss}`);
    const shown = await text(page, 'memory-text');
    const scripts = await page.getByTestId('memory-text').locator('script').count();
    expect(shown === '<script>window.__xss=1</script>', `the XSS memory shows "${shown}"`);
    expect(scripts === 0, 'a script element is inside the memory text');
    let flag = await page.evaluate(() => typeof window.__xss);
    expect(flag === 'undefined', 'window.__xss is set on the memory page');
    await go(page, '/inspector/?q=' + encodeURIComponent('script window xss'));
    const listed = await page.locator(`[data-memory-id="${args.ids.xss}"] [data-testid="memory-link"]`).textContent();
    flag = await page.evaluate(() => typeof window.__xss);
    expect(flag === 'undefined', 'window.__xss is set on the browse page');
    expect(dialogs.length === before, 'a dialog opened');
    return { shown, listed: listed?.trim(), xss: flag };
  });

  await step('foreign_tenant', async () => {
    const status = await go(page, `/inspector/memories/${args.ids.foreign}`);
    const title = await text(page, 'error-title');
    const body = (await page.locator('body').textContent()) ?? '';
    expect(status === 404, `status ${status}`);
    expect(title === 'Memory not found', `title "${title}"`);
    expect(!body.includes(args.foreignText), 'the other tenant\'s text is on the page');
    return { status, title };
  });

  await step('signout', async () => {
    await Promise.all([page.waitForURL('**/inspector/signin**'), page.getByTestId('signout').click()]);
    const status = await go(page, '/inspector/');
    expect(new URL(page.url()).pathname === '/inspector/signin', `after signing out /inspector/ went to ${page.url()}`);
    expect(await page.getByTestId('whoami').count() === 0, 'still signed in');
    return { url: new URL(page.url()).pathname, status };
  });

  await step('signin_subject', async () => {
    const whoami = await signIn(page, args.subjectKey);
    expect(whoami.includes(args.subject), `whoami is "${whoami}", expected ${args.subject}`);
    return { whoami };
  });

  await step('subject_browse', async () => {
    await go(page, '/inspector/?status=any');
    const ids = await page.getByTestId('memory-row').evaluateAll(rs => rs.map(r => r.getAttribute('data-memory-id')));
    const subjects = await texts(page, 'subject-link');
    expect(ids.includes(args.ids.ownMemory), 'the subject\'s own memory is not listed');
    expect(!ids.includes(args.ids.otherSubjectMemory), 'another subject\'s memory is listed');
    expect(subjects.length > 0 && subjects.every(s => s === args.subject.replace(/^user:/, '')), `subjects listed: ${JSON.stringify(subjects)}`);
    return { ids, subjects: [...new Set(subjects)] };
  });

  await step('subject_refused', async () => {
    const status = await go(page, `/inspector/memories/${args.ids.otherSubjectMemory}`);
    const body = (await page.locator('body').textContent()) ?? '';
    expect(status === 403, `status ${status}`);
    expect(await page.getByTestId('error').isVisible(), 'no error page');
    expect(!body.includes(args.otherSubjectText), 'the other subject\'s text is on the page');
    return { status, title: await text(page, 'error-title') };
  });

  await step('subject_page', async () => {
    await go(page, `/inspector/subjects/${encodeURIComponent(args.subject.replace(/^user:/, ''))}`);
    const active = await text(page, 'count-active');
    expect(Number(active) > 0, `active count ${active}`);
    expect(await page.getByTestId('consent-form').isVisible(), 'no consent form');
    return { name: await text(page, 'subject-name'), active, screenshot: await shot(page, 'subject', { fullPage: true }) };
  });

  await context.close();
} catch (e) {
  fail(current, e?.message ?? e);
} finally {
  await browser.close();
}
