// The program: the stack's config → the coder, the vision model behind the VLM MCP server, and optionally SERA.
// Output names are a contract with the local tools (sera, install-qwen-code): coder, vlm, sera, vlmMcpServer.
// One default export of the outputs that exist: a named `sera` export left undefined makes every preview warn.
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./components/stack-config.ts";
import { VlmMcpServer } from "./components/vlm-mcp-server.ts";
import { VllmEndpoint } from "./components/vllm-endpoint.ts";

const config = new pulumi.Config();
let endpoints;
try {
  endpoints = parseStackConfig(pulumi.runtime.allConfig());
} catch (e) {
  throw new pulumi.RunError((e as Error).message);
}

const coderEndpoint = new VllmEndpoint("coder", { ...endpoints.coder, apiKey: config.getSecret("coderApiKey") });
const vision = new VlmMcpServer("vlm", {
  endpoint: { ...endpoints.vlm, apiKey: config.getSecret("vlmApiKey") },
  timeoutSeconds: endpoints.vlmTimeoutSeconds,
  proxyTokenId: config.getSecret("modalProxyTokenId"),
  proxyTokenSecret: config.getSecret("modalProxyTokenSecret"),
});
const seraEndpoint = endpoints.sera ? new VllmEndpoint("sera", { ...endpoints.sera, apiKey: config.requireSecret("seraApiKey") }) : undefined;

const client = (e: VllmEndpoint) => ({ baseUrl: e.openaiBaseUrl, model: e.model, ...(e.apiKey ? { apiKey: e.apiKey } : {}) });

export default {
  coder: client(coderEndpoint),
  vlm: { ...client(vision.endpoint), maxImagesPerPrompt: vision.maxImagesPerPrompt },
  vlmMcpServer: vision.registration,
  ...(seraEndpoint ? { sera: client(seraEndpoint) } : {}),
};
