// A scripted session of the official TypeScript MCP SDK client against skmem's MCP server.
//
//   node session.mjs http <mcp-endpoint-url> <api-key> [subject]
//   node session.mjs stdio <command> [args...]            (subject: $SKMEM_SESSION_SUBJECT, default "ana")
//
// Prints one JSON line per step with what it observed ({"step", "ok", ...}) and exits 1 on the first unexpected result
// (2 on a usage error). The C# test TypeScriptClientTests runs it and asserts the lines.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const [mode, ...rest] = process.argv.slice(2);
if (mode !== 'http' && mode !== 'stdio') {
  console.error('usage: node session.mjs http <url> <api-key> [subject] | node session.mjs stdio <command> [args...]');
  process.exit(2);
}

const subject = mode === 'http' ? (rest[2] ?? 'ana') : (process.env.SKMEM_SESSION_SUBJECT ?? 'ana');
const scope = { kind: 'personal', subject };
const expectedTools = [
  'read_by_scope', 'write_with_provenance', 'update_with_conflict_resolution', 'search_by_semantics',
  'forget', 'get_history', 'explain', 'ingest', 'get_job',
];

function report(step, ok, observed) {
  process.stdout.write(JSON.stringify({ step, ok, ...observed }) + '\n');
  if (!ok) {
    throw new Error(`step ${step} did not go as expected: ${JSON.stringify(observed)}`);
  }
}

function textOf(result) {
  return (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

function makeTransport(secret) {
  if (mode === 'http') {
    const [url] = rest;
    return new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${secret}` } },
    });
  }

  const [command, ...args] = rest;
  // The SDK passes only a few safe variables by default; the server needs SKMEMORY_HOME and friends.
  return new StdioClientTransport({ command, args, env: { ...process.env }, stderr: 'pipe' });
}

async function connect(secret) {
  const client = new Client({ name: 'skmemory-ts-session', version: '1.0.0' });
  const transport = makeTransport(secret);
  let stderr = '';
  if (mode === 'stdio') {
    transport.stderr?.on('data', (chunk) => { stderr += chunk.toString(); });
  }

  try {
    await client.connect(transport);
  } catch (error) {
    if (stderr) {
      console.error(stderr);
    }

    throw error;
  }

  return client;
}

async function main() {
  const client = await connect(rest[1]);
  try {
    const server = client.getServerVersion();
    report('connect', Boolean(server?.name), { server: server?.name ?? null, transport: mode });

    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    const missing = expectedTools.filter((n) => !names.includes(n));
    const scopeRequired = tools.every((t) => (t.inputSchema?.required ?? []).includes('scope'));
    report('list_tools', missing.length === 0 && scopeRequired, { tools: names, missing, scope_required: scopeRequired });

    const written = await client.callTool({
      name: 'write_with_provenance',
      arguments: {
        scope,
        text: `${subject[0].toUpperCase()}${subject.slice(1)} prefers green tea in the morning.`,
        type: 'preference',
        evidence: { message_ids: ['m1'], quoted_spans: ['I always have green tea in the morning'] },
      },
    });
    const record = written.structuredContent?.record;
    report('write', !written.isError && typeof record?.id === 'string' && record.version === 1, {
      id: record?.id ?? null,
      version: record?.version ?? null,
      is_error: written.isError ?? false,
      text: written.isError ? textOf(written) : undefined,
    });

    const found = await client.callTool({
      name: 'search_by_semantics',
      arguments: { scope, query: 'green tea morning', top: 5, token_budget: 300 },
    });
    const results = found.structuredContent?.results ?? [];
    const hit = results.some((r) => r.record?.id === record.id);
    const packet = found.structuredContent?.packet;
    report('search', !found.isError && hit && typeof packet?.text === 'string' && packet.tokens <= 300, {
      results: results.length,
      found_written: hit,
      packet_tokens: packet?.tokens ?? null,
      is_error: found.isError ?? false,
    });

    const stale = await client.callTool({
      name: 'update_with_conflict_resolution',
      arguments: { scope, id: record.id, text: `${subject} prefers black coffee in the morning.`, expected_version: record.version + 41, policy: 'fail', evidence: { message_ids: ['m2'] } },
    });
    const staleDecision = stale.structuredContent?.decision ?? stale.structuredContent?.error?.code ?? null;
    report('update_conflict', staleDecision === 'conflict', {
      decision: staleDecision,
      current_version: stale.structuredContent?.current_version ?? stale.structuredContent?.error?.current_version ?? null,
      is_error: stale.isError ?? false,
    });

    const updated = await client.callTool({
      name: 'update_with_conflict_resolution',
      arguments: { scope, id: record.id, text: `${subject} prefers black coffee in the morning.`, expected_version: record.version, policy: 'supersede', evidence: { message_ids: ['m2'] } },
    });
    const decision = updated.structuredContent?.decision ?? null;
    const current = updated.structuredContent?.record;
    report('update', !updated.isError && (decision === 'superseded' || decision === 'updated') && typeof current?.id === 'string', {
      decision,
      id: current?.id ?? null,
      is_error: updated.isError ?? false,
      text: updated.isError ? textOf(updated) : undefined,
    });

    const forgotten = await client.callTool({
      name: 'forget',
      arguments: { scope, id: current.id, reason: 'the user asked to forget it' },
    });
    const status = forgotten.structuredContent?.record?.status ?? null;
    report('forget', !forgotten.isError && status === 'deleted', { id: current.id, status, is_error: forgotten.isError ?? false, text: forgotten.isError ? textOf(forgotten) : undefined });

    // A bad call: the scope is missing. The server must answer with an error and keep serving.
    let badError;
    try {
      const bad = await client.callTool({ name: 'search_by_semantics', arguments: { query: 'tea' } });
      badError = bad.isError ? textOf(bad) : null;
    } catch (error) {
      badError = String(error?.message ?? error);
    }

    report('missing_scope', typeof badError === 'string' && /scope/i.test(badError), { error: badError });
    const again = await client.listTools();
    report('still_serving', again.tools.length === tools.length, { tools: again.tools.length });
  } finally {
    await client.close();
  }

  if (mode === 'http') {
    // A bad key: the server refuses the connection with 401.
    let refused = null;
    let status = null;
    try {
      const intruder = await connect('skm_000000000000_not-a-real-secret');
      await intruder.listTools();
      await intruder.close();
    } catch (error) {
      refused = String(error?.message ?? error);
      status = typeof error?.code === 'number' ? error.code : null;
    }

    report('bad_key', refused !== null && (status === 401 || /401|unauthori[sz]ed/i.test(refused)), { status, error: refused });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error?.stack ?? String(error));
    process.exit(1);
  },
);
