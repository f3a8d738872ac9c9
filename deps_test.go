package ctlake_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/ctlake/ctlake"

// layer says which of the module's packages a package may import, so that
// the code keeps its direction: the domain (root package) depends on
// nothing; adapters depend on the domain; the lake service on the domain
// (its seams are the domain's interfaces) and the trail format; the wire protocol on the
// service's domain types; only cmd wires everything together. Test helpers
// are never imported by the product.
type layer struct {
	name string
	// may lists the module packages (relative paths, "." for the root) a
	// package of this layer may import; "*" means any but test helpers.
	may []string
}

var (
	domain = layer{"domain", nil}
	wire   = layer{"wire codec", []string{"."}}
	// Utilities read what the system offers (sizes, /proc): the standard
	// library alone, for the adapters and commands.
	utility = layer{"utility", nil}
	adapter = layer{"adapter", []string{".", "awsjson", "sigv4", "internal/*", "trail", "segment", "lakesql", "file", "s3"}}
	// The service reads trail keys (which part is the account, the
	// region, the day) through package trail: the format's rules, no I/O.
	service  = layer{"service", []string{".", "trail"}}
	protocol = layer{"protocol", []string{".", "awsjson", "sigv4", "api", "server"}}
	command  = layer{"command", []string{"*"}}
	testing_ = layer{"test helper", []string{"*", "ctlaketest", "trailgen"}}
)

// layers places every package of the module. A new package must be placed
// here, so that its direction is decided once, on purpose.
var layers = map[string]layer{
	".":                      domain,
	"awsjson":                wire,
	"sigv4":                  wire,
	"internal/serializedsql": wire,
	"internal/bytesize":      utility,
	"internal/procfs":        utility,
	"internal/sqlquote":      utility,
	"trail":                  adapter,
	"trailgen":               adapter,
	"file":                   adapter,
	"s3":                     adapter,
	"segment":                adapter,
	"sqlite":                 adapter,
	"lakesql":                adapter,
	"duckdb":                 adapter,
	"importer":               adapter,
	"metrics":                adapter,
	"lake":                   service,
	"api":                    protocol,
	"server":                 protocol,
	"console":                protocol,
	"cmd/ctlake":             command,
	"cmd/ctgen":              command,
	"ctlaketest":             testing_,
	"e2e":                    testing_,
	"bench":                  testing_,
	"internal/sqlcorpus":     testing_,
}

// testHelpers may be imported only by tests and other test helpers.
var testHelpers = map[string]bool{"ctlaketest": true, "e2e": true, "bench": true, "internal/sqlcorpus": true}

// TestDependencyDirection fails when a package's non-test files import a
// module package against the direction of the layers above.
func TestDependencyDirection(t *testing.T) {
	imports := moduleImports(t)
	pkgs := make([]string, 0, len(imports))
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		l, ok := layers[pkg]
		if !ok {
			t.Errorf("package %s is in no layer: place it in deps_test.go", pkg)
			continue
		}
		for _, imp := range imports[pkg] {
			if !allowed(l, imp) {
				t.Errorf("%s (%s) imports %s: against the direction of the layers", pkg, l.name, imp)
			}
		}
	}
}

func allowed(l layer, imp string) bool {
	if testHelpers[imp] {
		for _, m := range l.may {
			if m == imp {
				return true
			}
		}
		return false
	}
	for _, m := range l.may {
		if m == "*" || m == imp {
			return true
		}
		if strings.HasSuffix(m, "/*") && strings.HasPrefix(imp, strings.TrimSuffix(m, "*")) {
			return true
		}
	}
	return false
}

// moduleImports reads the import blocks of every non-test Go file of the
// module and returns, per package directory, the module packages imported.
func moduleImports(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "ctlake-data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(p))
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, spec := range f.Imports {
			ip, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			rel, ok := strings.CutPrefix(ip, module)
			if !ok {
				continue
			}
			rel = strings.TrimPrefix(rel, "/")
			if rel == "" {
				rel = "."
			}
			if !slices.Contains(out[pkg], rel) {
				out[pkg] = append(out[pkg], rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDomainImportsStandardLibraryOnly: the root package is the domain; it
// must not grow a dependency outside the standard library.
func TestDomainImportsStandardLibraryOnly(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range f.Imports {
			ip, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if first, _, _ := strings.Cut(ip, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s: the domain package imports the standard library only", p, ip)
			}
		}
	}
}
