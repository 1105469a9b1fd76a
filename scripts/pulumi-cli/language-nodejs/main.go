// pulumi-language-nodejs: a small Node.js language host for the Pulumi CLI, written for this project.
//
// Why it exists: Pulumi's own Node.js language host lives in a nested Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that is never tagged, so the Go
// module proxy does not serve it, and its source is cut out of the github.com/pulumi/pulumi/sdk/v3 module
// zip. Our machines reach nothing but package registries, so scripts/install-pulumi-cli builds this host
// instead, against the same sdk/v3 version as the CLI.
//
// What it does: it serves the LanguageRuntime gRPC service. Run starts
// `node <@pulumi/pulumi>/cmd/run <flags> <entry point>` from the program's directory, with the stack
// config in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS (the contract of @pulumi/pulumi's cmd/run), and
// maps its exit code onto RunResponse (32 = the program already told the user, so bail quietly).
// TypeScript goes through @pulumi/pulumi's own ts-node support (runtime option `typescript`, default
// true). It reports no required plugins: the dynamic provider plugin (pulumi-resource-pulumi-nodejs)
// ships in @pulumi/pulumi and is found on PATH, and the CLI is told not to download plugins. It does
// not install dependencies (InstallDependencies is a no-op: run `npm ci` yourself), generate code,
// pack SDKs or run Node.js plugins.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// version is stamped at build time (-X main.version=...) with the Pulumi version it was built against.
var version = "3.0.0-dev"

// Exit code with which @pulumi/pulumi's cmd/run says "the error was already shown to the user".
const exitCodeAlreadyReported = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string
	tracing       string
	// Defaults from command-line flags; Pulumi.yaml runtime options override them per program.
	typescript bool
	tsconfig   string
	nodeargs   string
}

func main() {
	// The engine starts language hosts as `pulumi-language-nodejs [flags] <engine address>`. Older engines
	// passed a few flags too; accept them so any engine version can start this host.
	tracing := flag.String("tracing", "", "emit tracing to a Zipkin-compatible tracing endpoint")
	typescript := flag.Bool("typescript", true, "run TypeScript programs through ts-node")
	tsconfig := flag.String("tsconfig", "", "path to the tsconfig.json to use")
	nodeargs := flag.String("nodeargs", "", "extra arguments for node")
	flag.String("root", "", "project root directory (ignored)")
	flag.String("packagemanager", "", "package manager (ignored)")
	flag.Parse()

	h := &host{tracing: *tracing, typescript: *typescript, tsconfig: *tsconfig, nodeargs: *nodeargs}
	if args := flag.Args(); len(args) > 0 {
		h.engineAddress = args[len(args)-1]
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Stop serving when the engine goes away, so an orphaned host does not linger.
	if h.engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, h.engineAddress, 5*time.Minute, cancel); err != nil {
			fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not watch the engine at %s: %v\n", h.engineAddress, err)
			os.Exit(1)
		}
	}

	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the language host: %v\n", err)
		os.Exit(1)
	}

	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest) (
	*pulumirpc.LanguageHandshakeResponse, error,
) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (
	*pulumirpc.GetRequiredPluginsResponse, error,
) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (
	*pulumirpc.GetRequiredPackagesResponse, error,
) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) InstallDependencies(*pulumirpc.InstallDependenciesRequest,
	grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	// Dependencies are the project's business (npm ci); there is nothing to do here.
	return nil
}

func (h *host) RuntimeOptionsPrompts(context.Context, *pulumirpc.RuntimeOptionsRequest) (
	*pulumirpc.RuntimeOptionsResponse, error,
) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("could not find node on PATH")
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimSpace(string(out))}, nil
}

func (h *host) GetProgramDependencies(_ context.Context, req *pulumirpc.GetProgramDependenciesRequest) (
	*pulumirpc.GetProgramDependenciesResponse, error,
) {
	// Report the direct dependencies that package.json declares, with the versions installed in node_modules.
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	var pkg struct {
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
	}
	root, data := findUp(dir, "package.json")
	if data == nil {
		return &pulumirpc.GetProgramDependenciesResponse{}, nil
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(root, "package.json"), err)
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	add := func(deps map[string]string) {
		for name, wanted := range deps {
			v := wanted
			if b, err := os.ReadFile(filepath.Join(root, "node_modules", name, "package.json")); err == nil {
				var installed struct {
					Version string `json:"version"`
				}
				if json.Unmarshal(b, &installed) == nil && installed.Version != "" {
					v = installed.Version
				}
			}
			resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: name, Version: v})
		}
	}
	add(pkg.Dependencies)
	if req.GetTransitiveDependencies() {
		add(pkg.DevDependencies)
	}
	return resp, nil
}

// findUp returns the first directory at or above dir holding name, and that file's content.
func findUp(dir, name string) (string, []byte) {
	for d := dir; ; {
		if b, err := os.ReadFile(filepath.Join(d, name)); err == nil {
			return d, b
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", nil
		}
		d = parent
	}
}

// option reads a runtime option from Pulumi.yaml (`runtime: {name: nodejs, options: {...}}`).
func option(opts *structpb.Struct, name string) (*structpb.Value, bool) {
	if opts == nil {
		return nil, false
	}
	v, ok := opts.GetFields()[name]
	return v, ok
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := info.GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck // older engines only fill this
	}
	if entry == "" {
		entry = "."
	}

	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on PATH: Node.js 22 or newer must be installed"}, nil
	}

	typescript, tsconfig, nodeargs := h.typescript, h.tsconfig, h.nodeargs
	if v, ok := option(info.GetOptions(), "typescript"); ok {
		typescript = v.GetBoolValue()
	}
	if v, ok := option(info.GetOptions(), "tsconfig"); ok {
		tsconfig = v.GetStringValue()
	}
	if v, ok := option(info.GetOptions(), "nodeargs"); ok {
		nodeargs = v.GetStringValue()
	}

	// Use the @pulumi/pulumi that the program itself resolves, so the program and its runner share one copy.
	resolve := exec.CommandContext(ctx, node, "-e",
		"process.stdout.write(require.resolve('@pulumi/pulumi/cmd/run'))")
	resolve.Dir = programDir
	runner, err := resolve.Output()
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"could not find @pulumi/pulumi from %s (run `npm ci` first): %v", programDir, err)}, nil
	}

	args := strings.Fields(nodeargs)
	args = append(args, string(runner),
		"--monitor="+req.GetMonitorAddress(),
		"--project="+req.GetProject(),
		"--stack="+req.GetStack(),
		"--pwd="+req.GetPwd(),
	)
	if h.engineAddress != "" {
		args = append(args, "--engine="+h.engineAddress)
	}
	if org := req.GetOrganization(); org != "" {
		args = append(args, "--organization="+org)
	}
	if root := info.GetRootDirectory(); root != "" {
		args = append(args, "--root-directory="+root)
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if p := req.GetParallel(); p > 0 {
		args = append(args, "--parallel="+strconv.Itoa(int(p)))
	}
	if h.tracing != "" {
		args = append(args, "--tracing="+h.tracing)
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = programDir
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript),
	)
	if tsconfig != "" {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}

	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
				return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited due to %v", status.Signal())}, nil
			}
			code := exitErr.ExitCode()
			if code == exitCodeAlreadyReported {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", code)}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run the program: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}
