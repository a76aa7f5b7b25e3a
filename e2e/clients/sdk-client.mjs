// sdk-client connects to an MCP server with an official TypeScript SDK
// client over Streamable HTTP, lists its tools and calls one, and prints both
// as JSON lines. It exits 1, with the reason on stderr, on any failure.
//
//   MCP_BEARER_TOKEN=... node clients/sdk-client.mjs <legacy|modern|2025-03-26> <url> [tool] [json-arguments]
//   MCP_CLIENT_ID=... MCP_CLIENT_SECRET=... MCP_CLIENT_ISSUER=... node clients/sdk-client.mjs ...
//
// legacy: @modelcontextprotocol/sdk 1.x, the 2025-11-25 initialize handshake.
// modern: @modelcontextprotocol/client 2.x pinned to the 2026-07-28 era.
// 2025-03-26: @modelcontextprotocol/sdk 1.12 (the npm alias sdk-2025-03-26),
// as agents built before the 2025-06-18 release still run it: the 2025-03-26
// handshake, then requests without an MCP-Protocol-Version header. It has no
// ClientCredentialsProvider, so it takes a bearer token alone.
// With a client id, the SDK's ClientCredentialsProvider gets the token: from
// the server's 401 it finds the resource metadata, the authorization server
// (which must be MCP_CLIENT_ISSUER) and its token endpoint, and asks it with
// the client credentials grant. Token and secret come from the environment so
// they never show in a process list.
const [era, url, tool = 'ping', rawArgs = '{}'] = process.argv.slice(2);
if (!['legacy', 'modern', '2025-03-26'].includes(era) || !url) {
  console.error('usage: node sdk-client.mjs <legacy|modern|2025-03-26> <url> [tool] [json-arguments]');
  process.exit(2);
}

const headers = {};
if (process.env.MCP_BEARER_TOKEN) {
  headers.Authorization = `Bearer ${process.env.MCP_BEARER_TOKEN}`;
}
const info = { name: 'lambdamcp-e2e-sdk-client', version: '1.0.0' };
const credentials = process.env.MCP_CLIENT_ID && {
  clientId: process.env.MCP_CLIENT_ID,
  clientSecret: process.env.MCP_CLIENT_SECRET ?? '',
  expectedIssuer: process.env.MCP_CLIENT_ISSUER,
};

let client, transport;
// The version the server answered initialize with, where the transport
// keeps none (1.12).
let negotiated;
if (era === '2025-03-26') {
  const { Client } = await import('sdk-2025-03-26/client/index.js');
  const { StreamableHTTPClientTransport } = await import('sdk-2025-03-26/client/streamableHttp.js');
  client = new Client(info);
  transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const start = transport.start.bind(transport);
  transport.start = () => {
    const handle = transport.onmessage;
    transport.onmessage = (message, extra) => {
      negotiated ??= message?.result?.protocolVersion;
      handle(message, extra);
    };
    return start();
  };
} else if (era === 'legacy') {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const { ClientCredentialsProvider } = await import('@modelcontextprotocol/sdk/client/auth-extensions.js');
  const authProvider = credentials ? new ClientCredentialsProvider(credentials) : undefined;
  client = new Client(info);
  transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, authProvider });
} else {
  const { Client, ClientCredentialsProvider, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const authProvider = credentials ? new ClientCredentialsProvider(credentials) : undefined;
  client = new Client(info, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, authProvider });
}

try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  console.log(JSON.stringify({ era, protocolVersion: transport.protocolVersion ?? negotiated, tools: tools.map((t) => t.name) }));
  const result = await client.callTool({ name: tool, arguments: JSON.parse(rawArgs) });
  console.log(JSON.stringify({ call: tool, result }));
  if (result.isError) {
    throw new Error(`tool ${tool} failed: ${JSON.stringify(result.content)}`);
  }
  await client.close();
} catch (err) {
  console.error(`sdk-client (${era}): ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
