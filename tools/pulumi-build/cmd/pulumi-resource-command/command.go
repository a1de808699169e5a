package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// commandInputs are the inputs of command:local:Command (and, minus create/update/delete/triggers,
// of the command:local:run invoke) as declared by the @pulumi/command 1.2.1 SDK.
type commandInputs struct {
	create, update, delete, command string
	dir                             string
	environment                     map[string]string
	interpreter                     []string
	stdin                           string
	hasStdin                        bool
	logging                         string
	addPreviousOutputInEnv          bool
}

// inputKeys are the Command properties that are inputs; every other key in the state is an output.
var inputKeys = []resource.PropertyKey{
	"addPreviousOutputInEnv", "archivePaths", "assetPaths", "create", "delete", "dir",
	"environment", "interpreter", "logging", "stdin", "triggers", "update",
}

var validLogging = map[string]bool{"": true, "stdout": true, "stderr": true, "stdoutAndStderr": true, "none": true}

// checkInputs validates the inputs and returns (property, reason) failures. Unknown values pass:
// they are checked again when known.
func checkInputs(props resource.PropertyMap) [][2]string {
	var failures [][2]string
	for _, k := range []resource.PropertyKey{"assetPaths", "archivePaths"} {
		if v, ok := props[k]; ok && !v.IsNull() {
			failures = append(failures, [2]string{string(k),
				string(k) + " is not supported by this build of pulumi-resource-command (see tools/pulumi-build/README.md)"})
		}
	}
	if v, ok := props["logging"]; ok {
		v = unwrapSecret(v)
		if v.IsString() && !validLogging[v.StringValue()] {
			failures = append(failures, [2]string{"logging",
				fmt.Sprintf("logging must be one of stdout, stderr, stdoutAndStderr, none; got %q", v.StringValue())})
		}
	}
	if v, ok := props["interpreter"]; ok {
		v = unwrapSecret(v)
		if v.IsArray() && len(v.ArrayValue()) == 0 {
			failures = append(failures, [2]string{"interpreter", "interpreter must not be empty"})
		}
	}
	return failures
}

func unwrapSecret(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// containsSecret reports whether any input (at any depth) is a secret; outputs then become secret.
func containsSecret(props resource.PropertyMap) bool {
	for _, k := range inputKeys {
		if v, ok := props[k]; ok && v.ContainsSecrets() {
			return true
		}
	}
	if v, ok := props["command"]; ok && v.ContainsSecrets() {
		return true
	}
	return false
}

func str(props resource.PropertyMap, k resource.PropertyKey) (string, bool) {
	v, ok := props[k]
	if !ok {
		return "", false
	}
	v = unwrapSecret(v)
	if !v.IsString() {
		return "", false
	}
	return v.StringValue(), true
}

// parseInputs reads known input values. Callers only use it outside preview, when all are known.
func parseInputs(props resource.PropertyMap) commandInputs {
	in := commandInputs{
		environment:            map[string]string{},
		interpreter:            []string{"/bin/sh", "-c"},
		addPreviousOutputInEnv: true,
	}
	in.create, _ = str(props, "create")
	in.update, _ = str(props, "update")
	in.delete, _ = str(props, "delete")
	in.command, _ = str(props, "command")
	in.dir, _ = str(props, "dir")
	in.stdin, in.hasStdin = str(props, "stdin")
	in.logging, _ = str(props, "logging")
	if v, ok := props["addPreviousOutputInEnv"]; ok {
		if v = unwrapSecret(v); v.IsBool() {
			in.addPreviousOutputInEnv = v.BoolValue()
		}
	}
	if v, ok := props["environment"]; ok {
		if v = unwrapSecret(v); v.IsObject() {
			for k, e := range v.ObjectValue() {
				if e = unwrapSecret(e); e.IsString() {
					in.environment[string(k)] = e.StringValue()
				}
			}
		}
	}
	if v, ok := props["interpreter"]; ok {
		if v = unwrapSecret(v); v.IsArray() && len(v.ArrayValue()) > 0 {
			in.interpreter = nil
			for _, e := range v.ArrayValue() {
				in.interpreter = append(in.interpreter, unwrapSecret(e).StringValue())
			}
		}
	}
	return in
}

// diffInputs compares the input keys of the old state with the new inputs. It returns the
// changed keys and those among them that force a replacement (only `triggers`, as upstream).
func diffInputs(olds, news resource.PropertyMap) (changed, replaces []string) {
	for _, k := range inputKeys {
		o, hasOld := olds[k]
		n, hasNew := news[k]
		if !hasOld && !hasNew {
			continue
		}
		if hasOld && hasNew && !n.ContainsUnknowns() && o.DeepEquals(n) {
			continue
		}
		if (!hasOld || o.IsNull()) && (!hasNew || n.IsNull()) {
			continue
		}
		changed = append(changed, string(k))
		if k == "triggers" {
			replaces = append(replaces, string(k))
		}
	}
	sort.Strings(changed)
	return changed, replaces
}

// previousOutputEnv returns PULUMI_COMMAND_STDOUT/STDERR from the old state, only when non-empty.
func previousOutputEnv(olds resource.PropertyMap) []string {
	var env []string
	if s, ok := str(olds, "stdout"); ok && s != "" {
		env = append(env, "PULUMI_COMMAND_STDOUT="+s)
	}
	if s, ok := str(olds, "stderr"); ok && s != "" {
		env = append(env, "PULUMI_COMMAND_STDERR="+s)
	}
	return env
}

type runResult struct{ stdout, stderr string }

// lineLogger forwards each complete line to log; used to stream command output to the engine.
type lineLogger struct {
	mu   *sync.Mutex
	buf  []byte
	emit func(string)
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.emit(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(string(l.buf))
		l.buf = nil
	}
}

// run executes script with the interpreter. extraEnv is appended after the inherited environment
// and the `environment` input. log receives output lines selected by the `logging` input.
func run(ctx context.Context, in commandInputs, script string, extraEnv []string, log func(string)) (runResult, error) {
	args := append(append([]string{}, in.interpreter[1:]...), script)
	cmd := exec.CommandContext(ctx, in.interpreter[0], args...)
	cmd.Dir = in.dir
	cmd.Env = os.Environ()
	keys := make([]string, 0, len(in.environment))
	for k := range in.environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cmd.Env = append(cmd.Env, k+"="+in.environment[k])
	}
	cmd.Env = append(cmd.Env, extraEnv...)
	if in.hasStdin {
		cmd.Stdin = strings.NewReader(in.stdin)
	}

	var stdout, stderr, combined bytes.Buffer
	mu := &sync.Mutex{}
	combinedW := &lockedWriter{mu: mu, w: &combined}
	nop := func(string) {}
	outLog := &lineLogger{mu: &sync.Mutex{}, emit: nop}
	errLog := &lineLogger{mu: &sync.Mutex{}, emit: nop}
	switch in.logging {
	case "", "stdoutAndStderr":
		outLog.emit, errLog.emit = log, log
	case "stdout":
		outLog.emit = log
	case "stderr":
		errLog.emit = log
	}
	cmd.Stdout = io.MultiWriter(&stdout, combinedW, outLog)
	cmd.Stderr = io.MultiWriter(&stderr, combinedW, errLog)
	err := cmd.Run()
	outLog.flush()
	errLog.flush()
	res := runResult{stdout: trimOneNewline(stdout.String()), stderr: trimOneNewline(stderr.String())}
	if err != nil {
		return res, fmt.Errorf("%w: running %q:\n%s", err, script, combined.String())
	}
	return res, nil
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func trimOneNewline(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// detailedDiff describes each changed input for the preview. Object inputs (environment) are
// diffed per key (`environment.KEY`) so a preview names the variable that changed.
func detailedDiff(olds, news resource.PropertyMap, changed []string) map[string]*pulumirpc.PropertyDiff {
	out := map[string]*pulumirpc.PropertyDiff{}
	kindOf := func(hadOld, hasNew, replace bool) pulumirpc.PropertyDiff_Kind {
		k := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !hadOld:
			k = pulumirpc.PropertyDiff_ADD
		case !hasNew:
			k = pulumirpc.PropertyDiff_DELETE
		}
		if replace {
			k++ // each *_REPLACE kind directly follows its plain kind in the enum
		}
		return k
	}
	for _, name := range changed {
		key := resource.PropertyKey(name)
		o, hadOld := olds[key]
		n, hasNew := news[key]
		hadOld, hasNew = hadOld && !o.IsNull(), hasNew && !n.IsNull()
		replace := name == "triggers"
		ou, nu := unwrapSecret(o), unwrapSecret(n)
		if hadOld && hasNew && ou.IsObject() && nu.IsObject() {
			om, nm := ou.ObjectValue(), nu.ObjectValue()
			for _, k := range unionKeys(om, nm) {
				ov, inOld := om[k]
				nv, inNew := nm[k]
				if inOld && inNew && !nv.ContainsUnknowns() && ov.DeepEquals(nv) {
					continue
				}
				out[name+propertyPathSegment(string(k))] = &pulumirpc.PropertyDiff{Kind: kindOf(inOld, inNew, replace), InputDiff: true}
			}
			continue
		}
		out[name] = &pulumirpc.PropertyDiff{Kind: kindOf(hadOld, hasNew, replace), InputDiff: true}
	}
	return out
}

func unionKeys(a, b resource.PropertyMap) []resource.PropertyKey {
	seen := map[resource.PropertyKey]bool{}
	var keys []resource.PropertyKey
	for _, m := range []resource.PropertyMap{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// propertyPathSegment renders a map key as a Pulumi property path segment.
func propertyPathSegment(k string) string {
	if identifier.MatchString(k) {
		return "." + k
	}
	return fmt.Sprintf("[%q]", k)
}

// secretStrings collects every secret string among the inputs (at any depth), so that logged
// output lines and error messages can be redacted.
func secretStrings(props resource.PropertyMap) []string {
	var out []string
	var walk func(v resource.PropertyValue, secret bool)
	walk = func(v resource.PropertyValue, secret bool) {
		switch {
		case v.IsSecret():
			walk(v.SecretValue().Element, true)
		case v.IsString():
			if secret && v.StringValue() != "" {
				out = append(out, v.StringValue())
			}
		case v.IsArray():
			for _, e := range v.ArrayValue() {
				walk(e, secret)
			}
		case v.IsObject():
			for _, e := range v.ObjectValue() {
				walk(e, secret)
			}
		}
	}
	for _, v := range props {
		walk(v, false)
	}
	// Longest first, so a secret containing another is replaced whole.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// redact replaces each secret with [secret]. Secret values are also redacted line by line, so a
// multi-line secret (a key file) does not leak one line at a time.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, "[secret]")
	}
	for _, sec := range secrets {
		if !strings.Contains(sec, "\n") {
			continue
		}
		for _, line := range strings.Split(sec, "\n") {
			if strings.TrimSpace(line) != "" {
				s = strings.ReplaceAll(s, line, "[secret]")
			}
		}
	}
	return s
}
