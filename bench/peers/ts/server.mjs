// The TypeScript SDK peer of cmd/lambdamcp-bench: a stateless Streamable
// HTTP server with the reference server's ping tool, answering JSON, built
// the way the SDK's README builds a stateless server (a server and a
// transport per request) on plain node:http.
//
//   node server.mjs [port]   # prints "listening http://127.0.0.1:PORT/mcp"
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

function newServer() {
  const server = new McpServer({ name: 'ts-peer', version: '0.1.0' });
  server.registerTool(
    'ping',
    {
      description: "Answers pong with the execution environment's log stream, the server version and how long it waited.",
      inputSchema: { delay_ms: z.number().int().min(0).max(5000).optional() },
    },
    async ({ delay_ms }) => {
      const d = delay_ms ?? 100;
      if (d > 0) await new Promise((resolve) => setTimeout(resolve, d));
      return { content: [{ type: 'text', text: `pong! logStream=unknown v=0.1.0 d=${d}` }] };
    },
  );
  return server;
}

const httpServer = http.createServer(async (req, res) => {
  if (req.url !== '/mcp' || req.method !== 'POST') {
    res.writeHead(405, { 'Content-Type': 'application/json', Allow: 'POST' });
    res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Method Not Allowed"}}');
    return;
  }
  const chunks = [];
  for await (const c of req) chunks.push(c);
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    res.writeHead(400, { 'Content-Type': 'application/json' });
    res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
    return;
  }
  const server = newServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
});

httpServer.keepAliveTimeout = 60_000;
const port = Number(process.argv[2] ?? 0);
httpServer.listen(port, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${httpServer.address().port}/mcp`);
});
