// VlmMcpServer: the vision endpoint plus the MCP server registration (command, args, env) that MCP clients
// such as qwen-code run locally (mcp/bin.js, the entry of mcp/main.ts, over stdio).
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { limitMmObject, type VllmEndpointArgs } from "./endpoint-args.ts";
import { PROJECT_DIR } from "./stack-config.ts";
import { VllmEndpoint } from "./vllm-endpoint.ts";

export const VLM_MCP_SERVER_TYPE = "coding-agent-server:mcp:VlmMcpServer";
export const MCP_SERVER_NAME = "vlm-analyzer";

export interface VlmMcpServerArgs {
  /** the vision model's endpoint */
  readonly endpoint: VllmEndpointArgs;
  /** seconds one tool call may take, cold start included (VLM_TIMEOUT); default: the endpoint's startup timeout */
  readonly timeoutSeconds?: number;
  /** Modal proxy token for endpoints that require proxy auth (Pulumi secrets) */
  readonly proxyTokenId?: pulumi.Input<string>;
  readonly proxyTokenSecret?: pulumi.Input<string>;
  /** node binary and server entry the client runs (default: this Node and this checkout's mcp/bin.js) */
  readonly command?: string;
  readonly serverPath?: string;
}

export interface McpServerRegistration {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** Images per prompt come from the vLLM limit ({"image":5}) so the MCP server and vLLM agree. */
export function maxImagesPerPrompt(args: VllmEndpointArgs): number {
  return limitMmObject(args.model, args.limitMmPerPrompt)?.image ?? 1;
}

export class VlmMcpServer extends pulumi.ComponentResource {
  public readonly endpoint: VllmEndpoint;
  public readonly maxImagesPerPrompt: number;
  /** secret when it carries a key */
  public readonly registration: pulumi.Output<McpServerRegistration>;

  constructor(name: string, args: VlmMcpServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(VLM_MCP_SERVER_TYPE, name, {}, opts);
    this.endpoint = new VllmEndpoint(name, args.endpoint, { parent: this });
    this.maxImagesPerPrompt = maxImagesPerPrompt(args.endpoint);
    const spec = this.endpoint.spec;
    const env: Record<string, pulumi.Input<string>> = {
      VLM_ENDPOINT: this.endpoint.openaiBaseUrl,
      VLM_MODEL: spec.servedModelName,
      VLM_MAX_IMAGES: String(this.maxImagesPerPrompt),
      VLM_TIMEOUT: String(args.timeoutSeconds ?? spec.scaling.startupTimeout),
    };
    if (this.endpoint.apiKey) env.VLM_API_KEY = this.endpoint.apiKey;
    if (args.proxyTokenId && args.proxyTokenSecret) {
      env.MODAL_PROXY_TOKEN_ID = pulumi.secret(args.proxyTokenId);
      env.MODAL_PROXY_TOKEN_SECRET = pulumi.secret(args.proxyTokenSecret);
    }
    this.registration = pulumi.output({
      command: args.command ?? process.execPath,
      args: [args.serverPath ?? join(PROJECT_DIR, "mcp", "bin.js")],
      env: pulumi.output(env),
    }) as pulumi.Output<McpServerRegistration>;
    this.registerOutputs({ registration: this.registration, url: this.endpoint.url });
  }
}
