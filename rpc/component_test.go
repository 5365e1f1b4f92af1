package rpc

import (
	"testing"

	"github.com/tcms/tcms/store"
)

func TestComponent(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	tester := ts.as(userName, userPass)
	p := mustProduct(t, admin, "tcms")
	testerID := int64(2)

	var c store.Component
	t.Run("Create", func(t *testing.T) {
		r := tester("Component.create", map[string]any{"name": "db", "product": p.ID})
		result(t, r, &c)
		wantKeys(t, r, "description", "id", "initial_owner", "name", "product")
		if c.Name != "db" || c.ProductID != p.ID || c.InitialOwnerID == nil || *c.InitialOwnerID != testerID || c.Description != "Created via API" {
			t.Fatalf("defaults: %+v", c)
		}
		var c2 store.Component
		result(t, tester("Component.create", map[string]any{"name": "ui", "product": "1", "initial_owner": "1", "description": "web"}), &c2)
		if *c2.InitialOwnerID != 1 || c2.Description != "web" {
			t.Fatalf("explicit: %+v", c2)
		}
		result(t, tester("Component.create", map[string]any{"name": "api", "product": p.ID, "initial_owner": nil}), &c2)
		if c2.InitialOwnerID != nil {
			t.Fatalf("null owner: %+v", c2)
		}
		for values, msg := range map[string]string{
			`{"name":"db","product":1}`:                       "[('__all__', ['Component with this Product and Name already exists.'])]",
			`{"name":"x","product":1,"initial_owner":999}`:    "[('initial_owner', ['Select a valid choice. That choice is not one of the available choices.'])]",
			`{"name":"x","product":999}`:                      "[('product', ['Select a valid choice. That choice is not one of the available choices.'])]",
			`{"name":"x","product":1,"description":""}`:       "[('description', ['This field is required.'])]",
			`{"initial_owner":1}`:                             "[('name', ['This field is required.']), ('product', ['This field is required.'])]",
			`{"name":"` + long(65) + `","product":1}`:         "[('name', ['Ensure this value has at most 64 characters (it has 65).'])]",
			`{"name":"x","product":1,"initial_owner":"nope"}`: "[('initial_owner', ['Select a valid choice. That choice is not one of the available choices.'])]",
		} {
			wantFault(t, tester("Component.create", jsonValues(t, values)), CodeInternal, "Internal error: "+msg)
		}
	})
	t.Run("Filter", func(t *testing.T) {
		var rows []store.ComponentRow
		r := tester("Component.filter", map[string]any{})
		result(t, r, &rows)
		wantKeys(t, r, "cases", "description", "id", "initial_owner", "name", "product")
		if len(rows) != 3 || rows[0].ID != c.ID || rows[0].Cases != nil || rows[2].Name != "api" {
			t.Fatalf("all: %+v", rows)
		}
		for _, q := range []map[string]any{
			{"product": p.ID, "name": "db"},
			{"initial_owner__username": userName},
			{"product__name": "tcms", "description__startswith": "Created", "initial_owner__isnull": false},
		} {
			result(t, tester("Component.filter", q), &rows)
			if len(rows) != 1 || rows[0].ID != c.ID {
				t.Fatalf("%v: %+v", q, rows)
			}
		}
		wantFault(t, tester("Component.filter"), CodeInvalidParams, "Invalid parameters: expected 1 parameter, got 0")
	})
	t.Run("Update", func(t *testing.T) {
		var u store.Component
		r := tester("Component.update", c.ID, map[string]any{"description": "storage"})
		result(t, r, &u)
		wantKeys(t, r, "description", "id", "initial_owner", "name", "product")
		if u.Name != "db" || u.Description != "storage" || u.InitialOwnerID == nil || *u.InitialOwnerID != testerID {
			t.Fatalf("partial description: %+v", u)
		}
		result(t, tester("Component.update", c.ID, map[string]any{"name": "database", "initial_owner": nil}), &u)
		if u.Name != "database" || u.InitialOwnerID != nil || u.Description != "storage" {
			t.Fatalf("partial name, owner cleared: %+v", u)
		}
		wantFault(t, tester("Component.update", 999, map[string]any{"name": "x"}), CodeInternal, "Internal error: Component matching query does not exist.")
		wantFault(t, tester("Component.update", c.ID, map[string]any{"name": "ui"}), CodeInternal, "Internal error: [('__all__', ['Component with this Product and Name already exists.'])]")
		wantFault(t, tester("Component.update", c.ID, map[string]any{"description": "", "product": nil}), CodeInternal,
			"Internal error: [('product', ['This field is required.']), ('description', ['This field is required.'])]")
	})
	t.Run("OKXML", func(t *testing.T) {
		xml := ts.xmlCaller(adminName, adminPass)
		var x map[string]any
		if err := xml(&x, "Component.create", map[string]any{"name": "xml", "product": p.ID}); err != nil || x["initial_owner"] != int64(1) || x["description"] != "Created via API" {
			t.Fatalf("create: %v %v", x, err)
		}
		var rows []map[string]any
		if err := xml(&rows, "Component.filter", map[string]any{"name": "xml"}); err != nil || len(rows) != 1 || rows[0]["cases"] != nil {
			t.Fatalf("filter: %v %v", rows, err)
		}
		if err := xml(&x, "Component.update", rows[0]["id"], map[string]any{"name": "xml2"}); err != nil || x["name"] != "xml2" || x["initial_owner"] != int64(1) {
			t.Fatalf("update: %v %v", x, err)
		}
		wantXMLFault(t, xml(nil, "Component.update", 999, map[string]any{}), CodeInternal, "Internal error: Component matching query does not exist.")
	})
}

func TestCategory(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	tester := ts.as(userName, userPass)
	p := mustProduct(t, admin, "tcms")
	var c store.Category
	r := tester("Category.create", map[string]any{"name": "smoke", "product": "1"})
	result(t, r, &c)
	wantKeys(t, r, "description", "id", "name", "product")
	if c.Name != "smoke" || c.ProductID != p.ID || c.Description != "" {
		t.Fatalf("created %+v", c)
	}
	var list []store.Category
	result(t, tester("Category.filter", map[string]any{"product": p.ID}), &list)
	if len(list) != 2 || list[0].Name != "--default--" || list[1] != c {
		t.Fatalf("by product: %+v", list)
	}
	result(t, tester("Category.filter", map[string]any{"product__name": "tcms", "name__in": []any{"smoke"}}), &list)
	if len(list) != 1 {
		t.Fatalf("by product name: %+v", list)
	}
	for values, msg := range map[string]string{
		`{"name":"smoke","product":1}`: "[('__all__', ['Category with this Product and Name already exists.'])]",
		`{"name":"x","product":99}`:    "[('product', ['Select a valid choice. That choice is not one of the available choices.'])]",
		`{"description":"d"}`:          "[('name', ['This field is required.']), ('product', ['This field is required.'])]",
	} {
		wantFault(t, tester("Category.create", jsonValues(t, values)), CodeInternal, "Internal error: "+msg)
	}
	xml := ts.xmlCaller(userName, userPass)
	var x map[string]any
	if err := xml(&x, "Category.create", map[string]any{"name": "xml", "product": p.ID, "description": "d"}); err != nil || x["description"] != "d" {
		t.Fatalf("XML create: %v %v", x, err)
	}
	var xs []map[string]any
	if err := xml(&xs, "Category.filter", map[string]any{"product": p.ID}); err != nil || len(xs) != 3 {
		t.Fatalf("XML filter: %v %v", xs, err)
	}
	wantXMLFault(t, xml(nil, "Category.create", map[string]any{"name": "xml", "product": p.ID}), CodeInternal, "Internal error: [('__all__', ['Category with this Product and Name already exists.'])]")
}

func TestPriority(t *testing.T) {
	ts := mustServer(t)
	tester := ts.as(userName, userPass)
	var list []store.Priority
	r := tester("Priority.filter", map[string]any{})
	result(t, r, &list)
	wantKeys(t, r, "id", "is_active", "value")
	for i, want := range []string{"P1", "P2", "P3", "P4", "P5"} {
		if len(list) != 5 || list[i] != (store.Priority{ID: int64(i + 1), Value: want, IsActive: true}) {
			t.Fatalf("seed rows: %+v", list)
		}
	}
	var p store.Priority
	result(t, tester("Priority.create", map[string]any{"value": "P6"}), &p)
	if p.Value != "P6" || p.IsActive {
		t.Fatalf("is_active absent: %+v", p)
	}
	result(t, tester("Priority.create", map[string]any{"value": "P7", "is_active": "true"}), &p)
	if !p.IsActive {
		t.Fatalf("is_active given: %+v", p)
	}
	result(t, tester("Priority.filter", map[string]any{"is_active": false}), &list)
	if len(list) != 1 || list[0].Value != "P6" {
		t.Fatalf("inactive: %+v", list)
	}
	wantFault(t, tester("Priority.create", map[string]any{"value": "P1"}), CodeInternal, "Internal error: [('value', ['Priority with this Value already exists.'])]")
	wantFault(t, tester("Priority.create", map[string]any{}), CodeInternal, "Internal error: [('value', ['This field is required.'])]")
	wantFault(t, tester("Priority.filter", map[string]any{"name": "P1"}), CodeInternal, "Internal error: Cannot resolve keyword 'name' into field. Choices are: id, is_active, priority_case, value.")

	xml := ts.xmlCaller(userName, userPass)
	var x map[string]any
	if err := xml(&x, "Priority.create", map[string]any{"value": "P8", "is_active": true}); err != nil || x["is_active"] != true {
		t.Fatalf("XML create: %v %v", x, err)
	}
	var xs []map[string]any
	if err := xml(&xs, "Priority.filter", map[string]any{}); err != nil || len(xs) != 8 || xs[0]["value"] != "P1" {
		t.Fatalf("XML filter: %v %v", xs, err)
	}
	wantXMLFault(t, xml(nil, "Priority.create", map[string]any{"value": "P8"}), CodeInternal, "Internal error: [('value', ['Priority with this Value already exists.'])]")
}

// TestCatalogueErrPermission calls every management method as a user
// without labels: each is refused by name and label, and nothing is written.
func TestCatalogueErrPermission(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	p := mustProduct(t, admin, "tcms")
	var c store.Component
	result(t, admin("Component.create", map[string]any{"name": "db", "product": p.ID}), &c)
	if _, err := ts.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "nobody", Password: "nobody-pass-1", Groups: []string{}}); err != nil {
		t.Fatal(err)
	}
	nobody := ts.as("nobody", "nobody-pass-1")
	conn := ts.mustDB()
	counts := func() (n [7]int) {
		for i, table := range []string{"classifications", "products", "versions", "builds", "categories", "components", "priorities"} {
			conn.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n[i])
		}
		return n
	}
	var fields string
	conn.QueryRow(t.Context(), "SELECT name || description FROM components").Scan(&fields)
	before := counts()
	for _, c := range []struct {
		method, label string
		params        []any
	}{
		{"Classification.filter", "management.view_classification", []any{map[string]any{}}},
		{"Classification.create", "management.add_classification", []any{map[string]any{"name": "x"}}},
		{"Product.filter", "management.view_product", nil},
		{"Product.create", "management.add_product", []any{map[string]any{"name": "x", "classification": 1}}},
		{"Version.filter", "management.view_version", []any{map[string]any{}}},
		{"Version.create", "management.add_version", []any{map[string]any{"product": 1, "value": "x"}}},
		{"Build.filter", "management.view_build", nil},
		{"Build.create", "management.add_build", []any{map[string]any{"name": "x", "version": 1}}},
		{"Build.update", "management.change_build", []any{1, map[string]any{"name": "x"}}},
		{"Category.filter", "testcases.view_category", []any{map[string]any{}}},
		{"Category.create", "testcases.add_category", []any{map[string]any{"name": "x", "product": 1}}},
		{"Component.filter", "management.view_component", []any{map[string]any{}}},
		{"Component.create", "management.add_component", []any{map[string]any{"name": "x", "product": 1}}},
		{"Component.update", "management.change_component", []any{1, map[string]any{"name": "x"}}},
		{"Priority.filter", "management.view_priority", []any{map[string]any{}}},
		{"Priority.create", "management.add_priority", []any{map[string]any{"value": "x"}}},
	} {
		wantFault(t, nobody(c.method, c.params...), CodeAuth, `Authentication failed when calling "`+c.method+`": permission `+c.label+` required`)
	}
	xml := ts.xmlCaller("nobody", "nobody-pass-1")
	wantXMLFault(t, xml(nil, "Build.update", 1, map[string]any{"is_active": false}), CodeAuth,
		`Authentication failed when calling "Build.update": permission management.change_build required`)
	var after string
	conn.QueryRow(t.Context(), "SELECT name || description FROM components").Scan(&after)
	var active bool
	conn.QueryRow(t.Context(), "SELECT is_active FROM builds WHERE id = 1").Scan(&active)
	if counts() != before || after != fields || !active {
		t.Fatalf("refused calls wrote: %v -> %v, %q -> %q, build active %v", before, counts(), fields, after, active)
	}
}
