// sdk-client connects to an MCP server with the official TypeScript SDK's
// Streamable HTTP client, lists its tools and calls one, and prints both as
// JSON lines. It exits 1, with the reason on stderr, on any failure.
//
//   MCP_BEARER_TOKEN=... node clients/sdk-client.mjs <url> [tool] [json-arguments]
//
// The token comes from the environment so it never shows in a process list.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, tool = 'ping', rawArgs = '{}'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node sdk-client.mjs <url> [tool] [json-arguments]');
  process.exit(2);
}

const headers = {};
if (process.env.MCP_BEARER_TOKEN) {
  headers.Authorization = `Bearer ${process.env.MCP_BEARER_TOKEN}`;
}

const client = new Client({ name: 'lambdamcp-e2e-sdk-client', version: '1.0.0' });
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });

try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  console.log(JSON.stringify({ protocolVersion: transport.protocolVersion, tools: tools.map((t) => t.name) }));
  const result = await client.callTool({ name: tool, arguments: JSON.parse(rawArgs) });
  console.log(JSON.stringify({ call: tool, result }));
  if (result.isError) {
    throw new Error(`tool ${tool} failed: ${JSON.stringify(result.content)}`);
  }
  await client.close();
} catch (err) {
  console.error(`sdk-client: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
