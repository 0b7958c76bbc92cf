package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/gateway/api"
	"github.com/claimgate/claimgate/gateway/intake"
)

type openAPIDoc struct {
	OpenAPI    string                               `json:"openapi"`
	Paths      map[string]map[string]map[string]any `json:"paths"`
	Components struct {
		Schemas         map[string]map[string]any `json:"schemas"`
		SecuritySchemes map[string]map[string]any `json:"securitySchemes"`
	} `json:"components"`
}

func loadOpenAPI(t *testing.T) (openAPIDoc, map[string]any) {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(api.OpenAPI(), &raw); err != nil {
		t.Fatal(err)
	}
	return doc, raw
}

func TestOpenAPIServedWithoutToken(t *testing.T) {
	e := sqliteEnv(t)
	r := e.call(http.MethodGet, "/v1/openapi.json", "", nil)
	wantStatus(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "application/json" || !bytes.Equal(r.body, api.OpenAPI()) {
		t.Fatalf("Content-Type %q, %d bytes", ct, len(r.body))
	}
}

// TestOpenAPIDescribesEveryRoute: the document and the mux list the same operations.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	e := sqliteEnv(t)
	registered := map[string]bool{}
	for _, pattern := range e.api.Routes() {
		method, path, _ := strings.Cut(pattern, " ")
		registered[pattern] = true
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("route %s is not in openapi.json", pattern)
			continue
		}
		if op["operationId"] == nil || op["responses"] == nil {
			t.Errorf("%s: no operationId or responses", pattern)
		}
		for code := range op["responses"].(map[string]any) {
			if code >= "400" && code != "default" {
				content := op["responses"].(map[string]any)[code].(map[string]any)["content"].(map[string]any)
				if _, ok := content["application/problem+json"]; !ok {
					t.Errorf("%s %s: an error answer that is not application/problem+json", pattern, code)
				}
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !registered[strings.ToUpper(method)+" "+path] {
				t.Errorf("openapi.json describes %s %s, which the API does not serve", strings.ToUpper(method), path)
			}
		}
	}
	for _, name := range []string{"submitterToken", "operatorToken"} {
		if s := doc.Components.SecuritySchemes[name]; s["type"] != "http" || s["scheme"] != "bearer" {
			t.Errorf("security scheme %s: %v", name, s)
		}
	}
}

// TestOpenAPIRefsResolve: every $ref names a schema of the document.
func TestOpenAPIRefsResolve(t *testing.T) {
	doc, raw := loadOpenAPI(t)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "$ref" {
					name := strings.TrimPrefix(c.(string), "#/components/schemas/")
					if _, ok := doc.Components.Schemas[name]; !ok {
						t.Errorf("$ref %v does not resolve", c)
					}
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(raw)
}

// schemaProps returns a schema's properties, following $ref and allOf.
func schemaProps(t *testing.T, doc openAPIDoc, s map[string]any) map[string]any {
	t.Helper()
	if ref, ok := s["$ref"].(string); ok {
		return schemaProps(t, doc, doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")])
	}
	props, _ := s["properties"].(map[string]any)
	return props
}

// TestOpenAPIEncounterSchema walks the Go Encounter type by its json tags: every field of the
// contract is in the published schema, and the schema has nothing the decoder would refuse.
func TestOpenAPIEncounterSchema(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	var check func(path string, typ reflect.Type, schema map[string]any)
	check = func(path string, typ reflect.Type, schema map[string]any) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
			if items, ok := schema["items"].(map[string]any); ok {
				schema = items
			}
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		props := schemaProps(t, doc, schema)
		if props == nil {
			t.Errorf("%s: the schema has no properties for Go type %s", path, typ)
			return
		}
		goFields := map[string]bool{}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			goFields[name] = true
			sub, ok := props[name].(map[string]any)
			if !ok {
				t.Errorf("%s/%s (%s.%s) is missing from the OpenAPI Encounter schema", path, name, typ.Name(), f.Name)
				continue
			}
			if f.Type.Kind() == reflect.Slice && sub["type"] != "array" {
				t.Errorf("%s/%s is a list in Go but not an array in the schema", path, name)
			}
			check(path+"/"+name, f.Type, sub)
		}
		for name := range props {
			if !goFields[name] {
				t.Errorf("%s/%s is in the schema but not in the Go type %s (the decoder refuses it)", path, name, typ.Name())
			}
		}
	}
	check("", reflect.TypeOf(intake.Encounter{}), doc.Components.Schemas["Encounter"])
}

// TestOpenAPIScrubCodes: the published code list is intake's, plus unmappable.
func TestOpenAPIScrubCodes(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	var published []string
	for _, c := range doc.Components.Schemas["ScrubCode"]["oneOf"].([]any) {
		m := c.(map[string]any)
		if m["description"] == "" {
			t.Errorf("code %v has no description", m["const"])
		}
		published = append(published, m["const"].(string))
	}
	want := []string{"unmappable"}
	for _, c := range intake.ProblemCodes() {
		want = append(want, c.Code)
	}
	sort.Strings(published)
	sort.Strings(want)
	if strings.Join(published, " ") != strings.Join(want, " ") {
		t.Fatalf("openapi.json codes\n%v\nintake codes\n%v", published, want)
	}
}
