// The program: the stack's config → the coder, the vision model behind the VLM MCP server, and optionally SERA.
// Output names are a contract with the local tools (sera, install-qwen-code): coder, vlm, sera, vlmMcpServer.
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

export const coder = client(coderEndpoint);
export const vlm = { ...client(vision.endpoint), maxImagesPerPrompt: vision.maxImagesPerPrompt };
export const vlmMcpServer = vision.registration;
export const sera = seraEndpoint ? client(seraEndpoint) : undefined;
