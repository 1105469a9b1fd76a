// gen-sdk writes the Python, Go and Node.js SDKs of the volcengine-copied-image provider plugin from the
// plugin's schema, with the code generators of github.com/pulumi/pulumi/pkg/v3 (the version the pinned CLI
// is built from).
//
//	go run . -schema ../../../provider/plugin/schema.json -version 0.1.0 -out ../../../sdk
//
// writes <out>/python, <out>/go and <out>/nodejs, each replaced whole (a file the generator no longer
// writes does not linger). Nothing is written unless all three generate.
//
// Why not `pulumi package gen-sdk`: the CLI hands generation to each language's host, and the Python and
// Go hosts are not served by the Go module proxy (the only way this project gets Go code). The generators
// themselves are ordinary packages of pkg/v3, so this program calls them directly, as the hosts do.
//
// The schema the plugin serves says nothing language-specific; the package names and paths each SDK
// is published under are set here (languageDefaults), and an entry the schema does carry wins.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// tool is the name the generated files' "do not edit" banners give.
const tool = "volcengine-copied-image scripts/sdks/generate"

// languageDefaults: how each SDK is named. The Go import path has no host yet: the repository has no
// public URL (README "SDKs for other languages" says what publishing takes); a `replace` in the
// program's go.mod points it at sdk/go.
var languageDefaults = map[string]any{
	"python": map[string]any{
		"packageName": "pulumi_volcengine_copied_image",
		"pyproject":   map[string]any{"enabled": true},
		// Keyword arguments and dicts are type-checked (mypy catches a wrong input type).
		"inputTypes": "classes-and-dicts",
	},
	"go": map[string]any{
		"importBasePath": "volcengine-copied-image/sdk/go/volcenginecopiedimage",
	},
	"nodejs": map[string]any{
		"packageName":        "pulumi-volcengine-copied-image",
		"packageDescription": "Typed Node.js SDK for the volcengine-copied-image Pulumi provider plugin (CopiedImage).",
	},
}

func main() {
	schemaPath := flag.String("schema", "", "the plugin's schema.json")
	version := flag.String("version", "", "the SDK version, used when the schema has none")
	out := flag.String("out", "", "the folder that receives python/, go/ and nodejs/")
	flag.Parse()
	if *schemaPath == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen-sdk -schema <schema.json> [-version <semver>] -out <dir>")
		os.Exit(2)
	}
	if err := run(*schemaPath, *version, *out); err != nil {
		fmt.Fprintf(os.Stderr, "gen-sdk: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, version, out string) error {
	spec, err := readSpec(schemaPath, version)
	if err != nil {
		return err
	}
	sdks := map[string]map[string][]byte{}
	for _, lang := range []string{"python", "go", "nodejs"} {
		// Each generator decorates the bound package with its own language info: bind afresh for each.
		pkg, err := bind(spec)
		if err != nil {
			return err
		}
		files, err := generate(lang, pkg)
		if err != nil {
			return fmt.Errorf("generating the %s SDK: %w", lang, err)
		}
		sdks[lang] = files
	}
	for lang, files := range sdks {
		if err := writeTree(filepath.Join(out, lang), files); err != nil {
			return err
		}
	}
	return nil
}

// readSpec reads the schema and adds what generation needs that the plugin's schema may leave out.
func readSpec(path, version string) (schema.PackageSpec, error) {
	var spec schema.PackageSpec
	raw, err := os.ReadFile(path)
	if err != nil {
		return spec, err
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		return spec, fmt.Errorf("%s: %w", path, err)
	}
	if spec.Version == "" {
		if version == "" {
			return spec, fmt.Errorf("%s has no version and -version was not given", path)
		}
		spec.Version = version
	}
	if _, err := semver.ParseTolerant(spec.Version); err != nil {
		return spec, fmt.Errorf("version %q: %w", spec.Version, err)
	}
	// Packable SDKs carry their version (pulumi-plugin.json tells the engine which plugin version to run)
	// and the Go SDK gets its own go.mod, which a program's `replace` can point at.
	if spec.Meta == nil {
		spec.Meta = &schema.MetadataSpec{}
	}
	spec.Meta.SupportPack = true
	if spec.Language == nil {
		spec.Language = map[string]schema.RawMessage{}
	}
	for lang, options := range languageDefaults {
		if _, given := spec.Language[lang]; given {
			continue
		}
		encoded, err := json.Marshal(options)
		if err != nil {
			return spec, err
		}
		spec.Language[lang] = encoded
	}
	return spec, nil
}

// bind validates the schema as `pulumi package gen-sdk` does, and fails on any error it reports.
func bind(spec schema.PackageSpec) (*schema.Package, error) {
	pkg, diags, err := schema.BindSpec(spec, noDependencies{}, schema.ValidationOptions{})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("the schema does not validate: %s", diags.Error())
	}
	return pkg, nil
}

func generate(lang string, pkg *schema.Package) (map[string][]byte, error) {
	switch lang {
	case "python":
		return python.GeneratePackage(tool, pkg, nil, noDependencies{})
	case "go":
		return gogen.GeneratePackage(tool, pkg, nil)
	case "nodejs":
		return nodejs.GeneratePackage(tool, pkg, nil, nil, false, noDependencies{})
	}
	return nil, fmt.Errorf("no generator for %q", lang)
}

// writeTree replaces dir with exactly the given files (paths relative to dir, '/'-separated).
func writeTree(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// noDependencies is the schema loader: the package references no other Pulumi package, so a generator
// that asks for one has met a schema this program was not written for.
type noDependencies struct{}

var errNoDependencies = errors.New("the volcengine-copied-image schema references no other package; none is loaded")

func (noDependencies) LoadPackage(string, *semver.Version) (*schema.Package, error) {
	return nil, errNoDependencies
}

func (noDependencies) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoDependencies
}

func (noDependencies) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errNoDependencies
}

func (noDependencies) LoadPackageReferenceV2(context.Context, *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, errNoDependencies
}
