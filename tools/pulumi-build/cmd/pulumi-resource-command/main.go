// Command pulumi-resource-command is a resource provider for the `command` package that serves
// command:local:Command and the command:local:run invoke with the inputs and outputs of the
// @pulumi/command 1.2.1 SDK.
//
// Why this exists: the Go module proxy reachable here does not serve the upstream provider module
// (github.com/pulumi/pulumi-command/provider), so the official plugin cannot be built from
// modules. This is an independent implementation of the documented behaviour: update on input
// change (update, else create), replace on `triggers` change, delete from the stored state,
// previous stdout/stderr in PULUMI_COMMAND_STDOUT/STDERR, outputs secret when an input is secret.
// remote:* resources, assetPaths and archivePaths are not implemented (Check rejects them).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

const commandType = "command:local:Command"

type server struct {
	pulumirpc.UnimplementedResourceProviderServer
	host *provider.HostClient
}

func main() {
	err := provider.Main("command", func(h *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &server{host: h}, nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: %v\n", err)
		os.Exit(1)
	}
}

var unmarshalOpts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}
var marshalOpts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true}

func unmarshal(s *structpb.Struct, label string) (resource.PropertyMap, error) {
	o := unmarshalOpts
	o.Label = label
	return plugin.UnmarshalProperties(s, o)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, marshalOpts)
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(version, "v")}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func requireCommandType(urn string) error {
	if t := string(resource.URN(urn).Type()); t != commandType {
		return status.Errorf(codes.Unimplemented, "resource type %s is not supported by this build of pulumi-resource-command (only %s)", t, commandType)
	}
	return nil
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := requireCommandType(req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "check.news")
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.CheckResponse{Inputs: req.GetNews()}
	for _, f := range checkInputs(news) {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f[0], Reason: f[1]})
	}
	return resp, nil
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOlds(), "diff.olds")
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "diff.news")
	if err != nil {
		return nil, err
	}
	changed, replaces := diffInputs(olds, news)
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	detailed := detailedDiff(olds, news, changed)
	return &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_SOME,
		Diffs:           changed,
		Replaces:        replaces,
		DetailedDiff:    detailed,
		HasDetailedDiff: true,
	}, nil
}

// outputs returns the new state: the inputs plus stdout/stderr (unknown in preview).
func outputs(inputs resource.PropertyMap, res *runResult) resource.PropertyMap {
	state := inputs.Copy()
	var out, errOut resource.PropertyValue
	if res == nil {
		out = resource.MakeComputed(resource.NewStringProperty(""))
		errOut = resource.MakeComputed(resource.NewStringProperty(""))
	} else {
		out, errOut = resource.NewStringProperty(res.stdout), resource.NewStringProperty(res.stderr)
	}
	if containsSecret(inputs) {
		out, errOut = resource.MakeSecret(out), resource.MakeSecret(errOut)
	}
	state["stdout"], state["stderr"] = out, errOut
	return state
}

// logger streams output lines to the engine with secret input values redacted.
func (s *server) logger(ctx context.Context, urn string, secrets []string) func(string) {
	return func(line string) {
		// Logging failures must not fail the command itself.
		_ = s.host.Log(ctx, diag.Info, resource.URN(urn), redact(line, secrets))
	}
}

// runRedacted runs a script; its error message (which quotes the script and its output) is redacted.
func (s *server) runRedacted(ctx context.Context, urn string, props resource.PropertyMap, in commandInputs, script string, env []string) (runResult, error) {
	secrets := secretStrings(props)
	res, err := run(ctx, in, script, env, s.logger(ctx, urn, secrets))
	if err != nil {
		return res, errors.New(redact(err.Error(), secrets))
	}
	return res, nil
}

func (s *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := requireCommandType(req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetProperties(), "create.properties")
	if err != nil {
		return nil, err
	}
	id, err := newID(resource.URN(req.GetUrn()).Name())
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		props, err := marshal(outputs(news, nil))
		return &pulumirpc.CreateResponse{Id: id, Properties: props}, err
	}
	in := parseInputs(news)
	res := runResult{}
	if in.create != "" {
		if res, err = s.runRedacted(ctx, req.GetUrn(), news, in, in.create, nil); err != nil {
			return nil, err
		}
	}
	props, err := marshal(outputs(news, &res))
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, err
}

func (s *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if err := requireCommandType(req.GetUrn()); err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds(), "update.olds")
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "update.news")
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		props, err := marshal(outputs(news, nil))
		return &pulumirpc.UpdateResponse{Properties: props}, err
	}
	in := parseInputs(news)
	script := in.update
	if script == "" {
		script = in.create
	}
	var env []string
	if in.addPreviousOutputInEnv {
		env = previousOutputEnv(olds)
	}
	res := runResult{}
	if script != "" {
		if res, err = s.runRedacted(ctx, req.GetUrn(), news, in, script, env); err != nil {
			return nil, err
		}
	}
	props, err := marshal(outputs(news, &res))
	return &pulumirpc.UpdateResponse{Properties: props}, err
}

func (s *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if err := requireCommandType(req.GetUrn()); err != nil {
		return nil, err
	}
	state, err := unmarshal(req.GetProperties(), "delete.properties")
	if err != nil {
		return nil, err
	}
	in := parseInputs(state)
	if in.delete == "" {
		return &emptypb.Empty{}, nil
	}
	var env []string
	if in.addPreviousOutputInEnv {
		env = previousOutputEnv(state)
	}
	if _, err := s.runRedacted(ctx, req.GetUrn(), state, in, in.delete, env); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// Read keeps the stored state: a local command has nothing to refresh from.
func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	inputs := req.GetInputs()
	if inputs == nil {
		state, err := unmarshal(req.GetProperties(), "read.properties")
		if err != nil {
			return nil, err
		}
		only := resource.PropertyMap{}
		for _, k := range inputKeys {
			if v, ok := state[k]; ok {
				only[k] = v
			}
		}
		if inputs, err = marshal(only); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: inputs}, nil
}

func (s *server) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != "command:local:run" {
		return nil, status.Errorf(codes.Unimplemented, "function %s is not supported by this build of pulumi-resource-command (only command:local:run)", req.GetTok())
	}
	args, err := unmarshal(req.GetArgs(), "invoke.args")
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	for _, f := range checkInputs(args) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: f[0], Reason: f[1]})
	}
	in := parseInputs(args)
	if in.command == "" {
		failures = append(failures, &pulumirpc.CheckFailure{Property: "command", Reason: "command is required"})
	}
	if len(failures) > 0 {
		return &pulumirpc.InvokeResponse{Failures: failures}, nil
	}
	res, err := run(ctx, in, in.command, nil, func(string) {})
	if err != nil {
		return nil, errors.New(redact(err.Error(), secretStrings(args)))
	}
	ret := args.Copy()
	ret["stdout"], ret["stderr"] = resource.NewStringProperty(res.stdout), resource.NewStringProperty(res.stderr)
	props, err := marshal(ret)
	return &pulumirpc.InvokeResponse{Return: props}, err
}

func newID(name string) (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return name + hex.EncodeToString(b), nil
}
