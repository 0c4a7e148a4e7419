package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml12 "go.yaml.in/yaml/v3"
	yaml11 "gopkg.in/yaml.v2"
)

// TestOpenAPIReadsTheSameAsYAML11 reads the document as YAML 1.1 (PyYAML,
// SnakeYAML and the Java generators do; gopkg.in/yaml.v2 reads it the same
// way) and as YAML 1.2, and fails wherever they disagree: an unquoted on,
// off, yes, no, y or n is a boolean to a 1.1 reader, 08:00 a base-60 number.
func TestOpenAPIReadsTheSameAsYAML11(t *testing.T) {
	var v11, v12 any
	if err := yaml11.Unmarshal(openapiYAML, &v11); err != nil {
		t.Fatalf("YAML 1.1: %v", err)
	}
	if err := yaml12.Unmarshal(openapiYAML, &v12); err != nil {
		t.Fatalf("YAML 1.2: %v", err)
	}
	var diffs []string
	compareYAML("", normalizeYAML(v11), normalizeYAML(v12), &diffs)
	for _, d := range diffs {
		t.Errorf("openapi.yaml%s: quote it (YAML 1.1 and 1.2 readers disagree)", d)
	}
	// What gopkg.in/yaml.v2 itself reads as text but other YAML 1.1
	// readers do not: base-60 numbers (PyYAML reads 08:00 as 480).
	for _, p := range yaml11Plain(t, openapiYAML) {
		t.Errorf("openapi.yaml: %s: quote it", p)
	}
}

// yaml11Only matches plain scalars that YAML 1.1 reads as booleans or
// base-60 numbers, while YAML 1.2 reads text.
var yaml11Only = regexp.MustCompile(`^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)$`)

// yaml11Plain lists the unquoted scalars of doc that yaml11Only matches.
func yaml11Plain(t *testing.T, doc []byte) []string {
	t.Helper()
	var root yaml12.Node
	if err := yaml12.Unmarshal(doc, &root); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *yaml12.Node)
	walk = func(n *yaml12.Node) {
		if n.Kind == yaml12.ScalarNode && n.Style == 0 && yaml11Only.MatchString(n.Value) {
			out = append(out, fmt.Sprintf("line %d: %s", n.Line, n.Value))
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	return out
}

// TestYAML11CheckCatchesAmbiguity: the check above fails on the very
// mistake the document once had.
func TestYAML11CheckCatchesAmbiguity(t *testing.T) {
	doc := []byte("parameters:\n  - {name: on, in: query}\n  - {name: \"on\", in: query}\nopens: 08:00\n")
	var v11, v12 any
	_ = yaml11.Unmarshal(doc, &v11)
	_ = yaml12.Unmarshal(doc, &v12)
	var diffs []string
	compareYAML("", normalizeYAML(v11), normalizeYAML(v12), &diffs)
	if len(diffs) != 1 || !strings.Contains(diffs[0], "parameters[0].name") {
		t.Errorf("found %v, want the unquoted on", diffs)
	}
	if plain := yaml11Plain(t, doc); len(plain) != 2 {
		t.Errorf("found %v, want the unquoted on and 08:00", plain)
	}
}

// normalizeYAML turns a decoded YAML tree into comparable values: string
// keys (a non-string key shows as its type), and numbers as float64.
func normalizeYAML(v any) any {
	switch v := v.(type) {
	case map[any]any:
		out := map[string]any{}
		for k, x := range v {
			key, ok := k.(string)
			if !ok {
				key = fmt.Sprintf("%v (a %T key)", k, k)
			}
			out[key] = normalizeYAML(x)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = normalizeYAML(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalizeYAML(x)
		}
		return out
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	}
	return v
}

func compareYAML(path string, a, b any, diffs *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range keys {
				if !yield(k) {
					return
				}
			}
		}) {
			compareYAML(path+"."+k, am[k], bm[k], diffs)
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		for i := range al {
			compareYAML(fmt.Sprintf("%s[%d]", path, i), al[i], bl[i], diffs)
		}
		return
	}
	if fmt.Sprintf("%T %v", a, a) != fmt.Sprintf("%T %v", b, b) {
		*diffs = append(*diffs, fmt.Sprintf("%s: YAML 1.1 reads %T %v, YAML 1.2 %T %v", path, a, a, b, b))
	}
}

// TestOpenAPIIsAValidOpenAPI31Document validates the document against the
// OpenAPI Initiative's own 3.1 schema (testdata/oas-3.1-schema.yaml) with a
// JSON Schema 2020-12 validator, and each of its schemas against the JSON
// Schema 2020-12 meta-schema: another reading than kin-openapi's.
func TestOpenAPIIsAValidOpenAPI31Document(t *testing.T) {
	doc := yamlAsJSON(t, openapiYAML)
	schemaYAML, err := os.ReadFile("testdata/oas-3.1-schema.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("oas-3.1.json", yamlAsJSON(t, schemaYAML)); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("oas-3.1.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI 3.1 document:\n%v", err)
	}
	schemas := doc.(map[string]any)["components"].(map[string]any)["schemas"].(map[string]any)
	for name, s := range schemas {
		sc := jsonschema.NewCompiler()
		sc.DefaultDraft(jsonschema.Draft2020)
		// References point at other components: give them all.
		whole := map[string]any{"$defs": schemas, "$ref": "#/$defs/" + name}
		body, _ := json.Marshal(whole)
		body = bytes.ReplaceAll(body, []byte(`#/components/schemas/`), []byte(`#/$defs/`))
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err := sc.AddResource("s.json", v); err != nil {
			t.Fatal(err)
		}
		if _, err := sc.Compile("s.json"); err != nil {
			t.Errorf("components.schemas.%s is not a valid JSON Schema 2020-12 schema: %v", name, err)
		}
		_ = s
	}
	// The validator does refuse a broken document.
	broken := doc.(map[string]any)
	broken["openapi"] = "3.1"
	if sch.Validate(broken) == nil {
		t.Error(`the validator accepted "openapi": "3.1"`)
	}
}

func yamlAsJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := yaml12.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(normalizeYAML(v))
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOpenAPIExamplesMatchTheirSchemas: kin-openapi validates every example
// against its schema; a wrong example must fail, so the check is live.
func TestOpenAPIExamplesMatchTheirSchemas(t *testing.T) {
	load := func(b []byte) error {
		doc, err := openapi3.NewLoader().LoadFromData(b)
		if err != nil {
			return err
		}
		return doc.Validate(context.Background(), openapi3.EnableExamplesValidation())
	}
	if err := load(openapiYAML); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if n := bytes.Count(openapiYAML, []byte("example")); n < 10 {
		t.Errorf("only %d examples: the document should show its values", n)
	}
	broken := strings.Replace(string(openapiYAML), "example: CO}", "example: 7}", 1)
	if broken == string(openapiYAML) {
		t.Fatal("no `example: CO}` to break")
	}
	if err := load([]byte(broken)); err == nil {
		t.Error("an example of the wrong type passed validation")
	}
}
