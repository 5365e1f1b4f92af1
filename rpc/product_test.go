package rpc

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/kolo/xmlrpc"

	"github.com/tcms/tcms/store"
)

// xmlCaller logs in over XML-RPC and returns a caller that decodes the
// result into out (nil to ignore it).
func (ts *testServer) xmlCaller(user, pass string) func(out any, method string, params ...any) error {
	ts.t.Helper()
	c := ts.xmlClient()
	var token string
	if err := c.Call("Auth.login", []any{user, pass}, &token); err != nil {
		ts.t.Fatal(err)
	}
	return func(out any, method string, params ...any) error { return c.Call(method, params, out) }
}

// wantXMLFault checks an XML-RPC call's fault code and message (the
// client hands faults over as text).
func wantXMLFault(t *testing.T, err error, code int, msg string) {
	t.Helper()
	if want := (xmlrpc.FaultError{Code: code, String: msg}).Error(); err == nil || err.Error() != want {
		t.Fatalf("want %s, got %v", want, err)
	}
}

// mustProduct creates a classification (once) and a product over JSON-RPC.
func mustProduct(t *testing.T, call func(string, ...any) jsonResponse, name string) store.Product {
	t.Helper()
	var cl []store.Classification
	result(t, call("Classification.filter", map[string]any{"name": "Software"}), &cl)
	if len(cl) == 0 {
		cl = make([]store.Classification, 1)
		result(t, call("Classification.create", map[string]any{"name": "Software"}), &cl[0])
	}
	var p store.Product
	result(t, call("Product.create", map[string]any{"name": name, "classification": cl[0].ID}), &p)
	return p
}

func TestClassification(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	var list []store.Classification
	result(t, admin("Classification.filter", map[string]any{}), &list)
	if len(list) != 0 {
		t.Fatalf("seeded classifications: %+v", list)
	}
	var c store.Classification
	result(t, admin("Classification.create", map[string]any{"name": "Software", "extra": 1}), &c)
	if c.ID != 1 || c.Name != "Software" {
		t.Fatalf("created %+v", c)
	}
	mustProduct(t, admin, "tcms")
	result(t, admin("Classification.filter", map[string]any{"product__name": "tcms"}), &list)
	if len(list) != 1 || list[0] != c {
		t.Fatalf("by product: %+v", list)
	}
	for values, msg := range map[string]string{
		`{"name":"Software"}`:         "Internal error: [('name', ['Classification with this Name already exists.'])]",
		`{}`:                          "Internal error: [('name', ['This field is required.'])]",
		`{"name":"` + long(65) + `"}`: "Internal error: [('name', ['Ensure this value has at most 64 characters (it has 65).'])]",
	} {
		wantFault(t, admin("Classification.create", jsonValues(t, values)), CodeInternal, msg)
	}
	wantFault(t, admin("Classification.filter", map[string]any{"nope": 1}), CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field. Choices are: id, name, product.")

	xml := ts.xmlCaller(adminName, adminPass)
	var x map[string]any
	if err := xml(&x, "Classification.create", map[string]any{"name": "Hardware"}); err != nil || x["id"] == nil || x["name"] != "Hardware" {
		t.Fatalf("XML create: %v %v", x, err)
	}
	var xs []map[string]any
	if err := xml(&xs, "Classification.filter", map[string]any{"name__startswith": "Hard"}); err != nil || len(xs) != 1 {
		t.Fatalf("XML filter: %v %v", xs, err)
	}
	wantXMLFault(t, xml(nil, "Classification.create", map[string]any{"name": "Hardware"}), CodeInternal, "Internal error: [('name', ['Classification with this Name already exists.'])]")
}

func TestProduct(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	tester := ts.as(userName, userPass)

	t.Run("OK", func(t *testing.T) {
		var cl store.Classification
		result(t, admin("Classification.create", map[string]any{"name": "Software"}), &cl)
		var p store.Product
		// Ids come as numeric strings from CI environment variables.
		r := tester("Product.create", map[string]any{"name": "tcms", "classification": "1", "description": "a server"})
		result(t, r, &p)
		if p != (store.Product{ID: 1, Name: "tcms", ClassificationID: cl.ID, Description: "a server"}) {
			t.Fatalf("created %+v", p)
		}
		wantKeys(t, r, "classification", "description", "id", "name")

		var cats []store.Category
		result(t, tester("Category.filter", map[string]any{"product": p.ID}), &cats)
		var versions []store.VersionRow
		result(t, tester("Version.filter", map[string]any{"product": p.ID}), &versions)
		var builds []store.BuildRow
		result(t, tester("Build.filter", map[string]any{"version__product": p.ID}), &builds)
		if len(cats) != 1 || cats[0].Name != "--default--" || cats[0].Description != "" ||
			len(versions) != 1 || versions[0].Value != "unspecified" || versions[0].ProductName != "tcms" ||
			len(builds) != 1 || builds[0].Name != "unspecified" || !builds[0].IsActive || builds[0].VersionID != versions[0].ID {
			t.Fatalf("side effects: %+v %+v %+v", cats, versions, builds)
		}
	})
	t.Run("Filter", func(t *testing.T) {
		mustProduct(t, admin, "other")
		for _, c := range []struct {
			query any
			want  int
		}{
			{nil, 2},
			{map[string]any{}, 2},
			{map[string]any{"name": "tcms"}, 1},
			{map[string]any{"pk__in": []any{"1", 2}}, 2},
			{map[string]any{"classification__name": "Software", "description__icontains": "SERVER"}, 1},
			{map[string]any{"version__value": "unspecified"}, 2},
			{map[string]any{"category__name": "--default--", "id": 2}, 1},
			{map[string]any{"component__name": "none"}, 0},
		} {
			params := []any{c.query}
			if c.query == nil {
				params = nil
			}
			var got []store.Product
			result(t, tester("Product.filter", params...), &got)
			if len(got) != c.want || len(got) == 2 && got[0].ID > got[1].ID {
				t.Fatalf("%v: got %+v", c.query, got)
			}
		}
		wantFault(t, tester("Product.filter", map[string]any{"plans": 1}), CodeInternal, "Internal error: Cannot resolve keyword 'plans' into field. Choices are: bug, category, classification, classification_id, component, description, id, name, plan, version.")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for values, msg := range map[string]string{
			`{"name":"tcms","classification":1}`:  "[('name', ['Product with this Name already exists.'])]",
			`{"name":"new","classification":999}`: "[('classification', ['Select a valid choice. That choice is not one of the available choices.'])]",
			`{"name":"new","classification":"x"}`: "[('classification', ['Select a valid choice. That choice is not one of the available choices.'])]",
			`{"description":"d"}`:                 "[('name', ['This field is required.']), ('classification', ['This field is required.'])]",
		} {
			wantFault(t, admin("Product.create", jsonValues(t, values)), CodeInternal, "Internal error: "+msg)
		}
		var n int
		ts.mustDB().QueryRow(t.Context(), "SELECT count(*) FROM categories").Scan(&n)
		if n != 2 {
			t.Fatalf("failed creates left categories behind: %d", n)
		}
	})
	t.Run("OKXML", func(t *testing.T) {
		xml := ts.xmlCaller(userName, userPass)
		var p map[string]any
		if err := xml(&p, "Product.create", map[string]any{"name": "xml", "classification": 1}); err != nil || p["id"] == nil || p["name"] != "xml" {
			t.Fatalf("create: %v %v", p, err)
		}
		var list []map[string]any
		if err := xml(&list, "Product.filter", map[string]any{"name": "xml"}); err != nil || len(list) != 1 || list[0]["classification"] != int64(1) {
			t.Fatalf("filter: %v %v", list, err)
		}
		wantXMLFault(t, xml(nil, "Product.create", map[string]any{"name": "xml", "classification": 1}), CodeInternal, "Internal error: [('name', ['Product with this Name already exists.'])]")
	})
}

func TestVersion(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	a := mustProduct(t, admin, "a")
	b := mustProduct(t, admin, "b")

	var v store.Version
	r := admin("Version.create", map[string]any{"product": a.ID, "value": "1.0", "extra-data-field": "ignored"})
	result(t, r, &v)
	wantKeys(t, r, "id", "product", "value")
	if v.ProductID != a.ID || v.Value != "1.0" {
		t.Fatalf("created %+v", v)
	}
	var builds []store.BuildRow
	result(t, admin("Build.filter", map[string]any{"version": v.ID}), &builds)
	if len(builds) != 1 || builds[0].Name != "unspecified" || builds[0].VersionValue != "1.0" {
		t.Fatalf("builds of the new version: %+v", builds)
	}
	var list []store.VersionRow
	r = admin("Version.filter", map[string]any{})
	result(t, r, &list)
	wantKeys(t, r, "id", "product", "product__name", "value")
	// By product, then id: a's unspecified and 1.0, then b's unspecified.
	if len(list) != 3 || list[0].ProductID != a.ID || list[1].ID != v.ID || list[2].ProductID != b.ID || list[2].ProductName != "b" {
		t.Fatalf("order: %+v", list)
	}
	result(t, admin("Version.filter", map[string]any{"product": "1", "value": "1.0"}), &list)
	if len(list) != 1 || list[0].ID != v.ID {
		t.Fatalf("CI lookup: %+v", list)
	}
	result(t, admin("Version.filter", map[string]any{"build__name": "unspecified", "product__name": "b"}), &list)
	if len(list) != 1 {
		t.Fatalf("by build: %+v", list)
	}
	for values, msg := range map[string]string{
		`{"product":1,"value":"1.0"}`:  "[('__all__', ['Version with this Product and Value already exists.'])]",
		`{"product":99,"value":"1.0"}`: "[('product', ['Select a valid choice. That choice is not one of the available choices.'])]",
		`{"product":1}`:                "[('value', ['This field is required.'])]",
		`{"value":"2.0"}`:              "[('product', ['This field is required.'])]",
	} {
		wantFault(t, admin("Version.create", jsonValues(t, values)), CodeInternal, "Internal error: "+msg)
	}
	wantFault(t, admin("Version.filter"), CodeInvalidParams, "Invalid parameters: expected 1 parameter, got 0")

	xml := ts.xmlCaller(adminName, adminPass)
	var x map[string]any
	if err := xml(&x, "Version.create", map[string]any{"product": b.ID, "value": "2.0"}); err != nil || x["product"] != b.ID {
		t.Fatalf("XML create: %v %v", x, err)
	}
	var xs []map[string]any
	if err := xml(&xs, "Version.filter", map[string]any{"product": b.ID, "value": "2.0"}); err != nil || len(xs) != 1 || xs[0]["product__name"] != "b" {
		t.Fatalf("XML filter: %v %v", xs, err)
	}
	wantXMLFault(t, xml(nil, "Version.create", map[string]any{"product": b.ID}), CodeInternal, "Internal error: [('value', ['This field is required.'])]")
}

// jsonValues decodes a values dict written as JSON, with numbers as int64
// the way the decoders deliver them.
func jsonValues(t *testing.T, text string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	for k, x := range v {
		if n, ok := x.(json.Number); ok {
			v[k], _ = n.Int64()
		}
	}
	return v
}

// long is a string of n characters.
func long(n int) string { return strings.Repeat("x", n) }

// wantKeys checks that a reply (a struct, or a list of them) has exactly
// these keys, sorted.
func wantKeys(t *testing.T, r jsonResponse, keys ...string) {
	t.Helper()
	var one map[string]any
	if json.Unmarshal(r.Result, &one) != nil {
		var list []map[string]any
		if err := json.Unmarshal(r.Result, &list); err != nil || len(list) == 0 {
			t.Fatalf("no struct in %s", r.Result)
		}
		one = list[0]
	}
	if got := slices.Sorted(maps.Keys(one)); !slices.Equal(got, keys) {
		t.Fatalf("keys: got %v, want %v", got, keys)
	}
}
