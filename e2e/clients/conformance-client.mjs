// conformance-client.mjs runs cmd/mcp-client in one of the conformance
// suite's client scenarios: `conformance client --command "node
// conformance-client.mjs MCP_CLIENT_BINARY"` appends the scenario server's
// URL and names the scenario in MCP_CONFORMANCE_SCENARIO (and its protocol
// version in MCP_CONFORMANCE_PROTOCOL_VERSION, and what a client registered
// beforehand is given in MCP_CONFORMANCE_CONTEXT, as JSON).
//
// It only turns these into mcp-client's flags: which tool to call with which
// arguments, and the client id, its secret and its issuer when the scenario
// gives them (the client credentials grant); nothing of the protocol is done
// here. An auth scenario that gives no client (it expects the client to
// register itself) runs mcp-client -login without one, keeping nothing
// between runs, and plays the person's browser: it fetches the sign-in URL
// mcp-client prints, whose authorization endpoint approves at once and
// redirects to mcp-client's loopback callback.
import { spawn } from "node:child_process";

const [bin, url] = process.argv.slice(2);
if (!bin || !url) {
  console.error("usage: conformance-client.mjs MCP_CLIENT_BINARY SERVER_URL");
  process.exit(2);
}
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? "";
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT || "{}");
const protocol = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION;

// What each scenario asks the client to do beyond connecting and listing:
// one run of mcp-client for each entry, in turn.
const invalidTools = [
  "invalid_empty_header", "invalid_object_header", "invalid_array_header", "invalid_null_header",
  "invalid_number_header", "invalid_duplicate_same_case", "invalid_duplicate_diff_case",
  "invalid_space_in_name", "invalid_colon_in_name", "invalid_non_ascii_name", "invalid_control_char_name",
];
const confirm = ["-elicit", '{"confirmed":true}'];
const runs = {
  tools_call: [["-call", "add_numbers", "-args", '{"a":2,"b":3}']],
  "elicitation-sep1034-client-defaults": [["-call", "test_client_elicitation_defaults", "-elicit", "{}"]],
  "sse-retry": [["-call", "test_reconnection"]],
  // The call needs a scope the first sign-in was not given (403
  // insufficient_scope): the client signs in again for it.
  "auth/scope-step-up": [["-call", "test-tool"]],
  // Each tool the scenario names, with the arguments it gives.
  "http-custom-headers": (context.toolCalls ?? []).map((c) => ["-call", c.name, "-args", JSON.stringify(c.arguments ?? {})]),
  // The valid tool is called; asked to call an invalid one, the client
  // must refuse it (the run fails; the scenario sees no call).
  "http-invalid-tool-headers": [
    ["-call", "valid_tool", "-args", '{"region":"us-west1"}'],
    ...invalidTools.map((name) => ["-call", name]),
  ],
  "sep-2322-client-request-state": [
    ["-call", "test_mrtr_echo_state", ...confirm],
    ["-call", "test_mrtr_no_state", ...confirm],
    ["-call", "test_mrtr_unrelated", ...confirm],
    ["-call", "test_mrtr_no_result_type", ...confirm],
  ],
};

const common = ["-endpoint", url, "-timeout", "20s"];
if (protocol) common.push("-protocol", protocol);
// Nothing of the caller's environment stands for a flag.
const env = { ...process.env };
for (const name of ["MCP_TOKEN", "MCP_CLIENT_ID", "MCP_CLIENT_SECRET", "MCP_CLIENT_ISSUER", "MCP_SERVER_ENDPOINT"]) {
  delete env[name];
}
if (context.client_id) common.push("-client-id", context.client_id);
const login = scenario.startsWith("auth/") && !context.client_id;
if (login) common.push("-login", "-no-browser", "-no-token-cache", "-redirect-port", "0");
if (context.issuer) common.push("-issuer", context.issuer);
if (context.client_secret) env.MCP_CLIENT_SECRET = context.client_secret;

let status = 0;
for (const extra of runs[scenario] ?? [[]]) {
  const code = await runClient([...common, ...extra]);
  if (code !== 0) status = code;
}
process.exit(status);

// runClient runs mcp-client once and resolves to its exit status.
function runClient(args) {
  console.error(`conformance-client: mcp-client ${args.join(" ")}`);
  const child = spawn(bin, args, { env, stdio: ["ignore", "inherit", login ? "pipe" : "inherit"] });
  if (login) {
    // The person's browser: each sign-in URL printed is followed, through
    // the authorization endpoint's redirect, to the callback.
    let line = "";
    child.stderr.on("data", (chunk) => {
      process.stderr.write(chunk);
      line += chunk.toString();
      let nl;
      while ((nl = line.indexOf("\n")) >= 0) {
        const m = /^mcp-client: sign in at (\S+)/.exec(line.slice(0, nl));
        line = line.slice(nl + 1);
        if (m) fetch(m[1]).then((r) => r.text()).catch((e) => console.error(`conformance-client: the sign-in URL: ${e.message}`));
      }
    });
  }
  return new Promise((resolve) => child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
