package rpc

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

// The maintenance methods: update and remove of the catalogue (Product,
// Version, Classification, Category, Tag, Build, Component, BugTracker).

// holding logs in, over both protocols, a new user holding exactly labels.
func (ts *testServer) holding(t *testing.T, name string, labels ...string) rpcCaller {
	t.Helper()
	if _, err := ts.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: name, Password: name + "-pass-1", Groups: []string{}}); err != nil {
		t.Fatal(err)
	}
	root := store.Principal{UserID: 1, Username: adminName, IsSuperuser: true}
	if err := ts.Store.SetUserPermissions(t.Context(), root, name, labels, true); err != nil {
		t.Fatal(err)
	}
	return ts.callers(t, name, name+"-pass-1")
}

// allBut is the whole catalogue of labels but one.
func allBut(label string) []string {
	return slices.DeleteFunc(store.Catalogue(), func(l string) bool { return l == label })
}

// deletedReply decodes [total, {model: count}].
func deletedReply(t *testing.T, c rpcCaller, xml bool, method string, query map[string]any) (int64, map[string]int64) {
	t.Helper()
	var raw []any
	if xml {
		c.viaXML(t, &raw, method, query)
	} else {
		c.viaJSON(t, &raw, method, query)
	}
	if len(raw) != 2 {
		t.Fatalf("%s: %v", method, raw)
	}
	counts := map[string]int64{}
	for k, v := range raw[1].(map[string]any) {
		counts[k] = int64(v.(float64))
	}
	return int64(raw[0].(float64)), counts
}

func TestCatalogueUpdate(t *testing.T) {
	b := mustPlanBed(t, "updates")
	ts, admin, tester, f := b.ts, b.ts.callers(t, adminName, adminPass), b.tester, b.f
	conn := ts.mustDB()
	name := func(table string, id int64) string {
		var s string
		if err := conn.QueryRow(t.Context(), "SELECT name FROM "+table+" WHERE id = $1", id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	var cl []store.Classification
	result(t, admin.json("Classification.filter", map[string]any{"name": "Software"}), &cl)

	t.Run("Classification", func(t *testing.T) {
		var c store.Classification
		r := admin.json("Classification.update", cl[0].ID, map[string]any{"name": "Software & co", "ignored": 1})
		result(t, r, &c)
		wantKeys(t, r, "id", "name")
		admin.viaXML(t, &c, "Classification.update", cl[0].ID, map[string]any{"name": "Applications"})
		if c != (store.Classification{ID: cl[0].ID, Name: "Applications"}) || name("classifications", c.ID) != "Applications" {
			t.Fatalf("updated %+v", c)
		}
		result(t, admin.json("Classification.create", map[string]any{"name": "Hardware"}), new(any))
		admin.fault(t, CodeInternal, "Internal error: [('name', ['Classification with this Name already exists.'])]", "Classification.update", c.ID, map[string]any{"name": "Hardware"})
		admin.fault(t, CodeInternal, "Internal error: [('name', ['This field is required.'])]", "Classification.update", c.ID, map[string]any{})
		admin.fault(t, CodeInternal, "Internal error: Classification matching query does not exist.", "Classification.update", 999, map[string]any{"name": "x"})
		admin.fault(t, CodeInvalidParams, "Invalid parameters: classification_id", "Classification.update", "x", map[string]any{"name": "x"})
		b.ts.holding(t, "noclass", allBut("management.change_classification")...).refused(t, "management.change_classification",
			"Classification.update", c.ID, map[string]any{"name": "Mine"})
		result(t, b.ts.holding(t, "class", "management.change_classification").json("Classification.update", c.ID, map[string]any{"name": "Apps"}), &c)
		if name("classifications", c.ID) != "Apps" {
			t.Fatal("the holder of exactly the label could not rename")
		}
	})
	t.Run("Product", func(t *testing.T) {
		var p store.Product
		r := tester.json("Product.update", f.product, map[string]any{"name": "renamed", "description": "new text"})
		result(t, r, &p)
		wantKeys(t, r, "classification", "description", "id", "name")
		if p.Name != "renamed" || p.Description != "new text" || p.ClassificationID != cl[0].ID {
			t.Fatalf("updated %+v", p)
		}
		tester.viaJSON(t, &p, "Product.update", f.product, map[string]any{"description": ""})
		if p.Name != "renamed" || p.Description != "" {
			t.Fatalf("partial update %+v", p)
		}
		tester.fault(t, CodeInternal, "Internal error: [('name', ['Product with this Name already exists.'])]", "Product.update", f.product, map[string]any{"name": "other"})
		tester.fault(t, CodeInternal, "Internal error: [('classification', ['Select a valid choice. That choice is not one of the available choices.'])]",
			"Product.update", f.product, map[string]any{"classification": 999})
		tester.fault(t, CodeInternal, "Internal error: [('name', ['This field is required.'])]", "Product.update", f.product, map[string]any{"name": nil})
		tester.fault(t, CodeInternal, "Internal error: Product matching query does not exist.", "Product.update", 999, map[string]any{"name": "x"})
		b.nobody.refused(t, "management.change_product", "Product.update", f.product, map[string]any{"name": "mine"})
		if name("products", f.product) != "renamed" {
			t.Fatal("a refused update changed the product")
		}
	})
	t.Run("Version", func(t *testing.T) {
		var v store.Version
		r := tester.json("Version.update", f.version, map[string]any{"value": "1.1"})
		result(t, r, &v)
		wantKeys(t, r, "id", "product", "value")
		if v.Value != "1.1" || v.ProductID != f.product {
			t.Fatalf("updated %+v", v)
		}
		tester.fault(t, CodeInternal, "Internal error: [('__all__', ['Version with this Product and Value already exists.'])]",
			"Version.update", f.version, map[string]any{"value": "unspecified"})
		tester.fault(t, CodeInternal, "Internal error: [('product', ['Select a valid choice. That choice is not one of the available choices.'])]",
			"Version.update", f.version, map[string]any{"product": 999})
		tester.fault(t, CodeInternal, "Internal error: Version matching query does not exist.", "Version.update", 999, map[string]any{})
		b.nobody.refused(t, "management.change_version", "Version.update", f.version, map[string]any{"value": "2"})
	})
	t.Run("Category", func(t *testing.T) {
		var c store.Category
		r := tester.json("Category.create", map[string]any{"name": "smoke", "product": f.product})
		result(t, r, &c)
		r = tester.json("Category.update", c.ID, map[string]any{"name": "sanity", "description": "quick"})
		result(t, r, &c)
		wantKeys(t, r, "description", "id", "name", "product")
		tester.viaXML(t, &c, "Category.update", c.ID, map[string]any{"product": f.otherProduct(t, tester)})
		if c.Name != "sanity" || c.Description != "quick" || c.ProductID == f.product {
			t.Fatalf("updated %+v", c)
		}
		tester.fault(t, CodeInternal, "Internal error: [('__all__', ['Category with this Product and Name already exists.'])]",
			"Category.update", c.ID, map[string]any{"name": "--default--"})
		tester.fault(t, CodeInternal, "Internal error: Category matching query does not exist.", "Category.update", 999, map[string]any{})
		b.nobody.refused(t, "testcases.change_category", "Category.update", c.ID, map[string]any{"name": "x"})
	})
	t.Run("Tag", func(t *testing.T) {
		var tag store.Tag
		result(t, tester.json("Tag.create", map[string]any{"name": "nightly"}), &tag)
		r := tester.json("Tag.update", tag.ID, map[string]any{"name": "weekly"})
		result(t, r, &tag)
		wantKeys(t, r, "id", "name")
		tester.viaXML(t, &tag, "Tag.update", tag.ID, map[string]any{"name": "monthly"})
		if tag.Name != "monthly" || name("tags", tag.ID) != "monthly" {
			t.Fatalf("updated %+v", tag)
		}
		tester.fault(t, CodeInternal, "Internal error: [('name', ['Ensure this value has at most 255 characters (it has 256).'])]",
			"Tag.update", tag.ID, map[string]any{"name": strings.Repeat("x", 256)})
		tester.fault(t, CodeInternal, "Internal error: Tag matching query does not exist.", "Tag.update", 999, map[string]any{"name": "x"})
		b.nobody.refused(t, "management.change_tag", "Tag.update", tag.ID, map[string]any{"name": "x"})
	})
	t.Run("BugTracker", func(t *testing.T) {
		var bt store.BugTracker
		result(t, admin.json("BugTracker.create", map[string]any{"name": "Jira", "tracker_type": "tcms.issuetracker.types.JIRA",
			"base_url": "https://jira.example.com", "api_username": "bot", "api_password": "old-secret"}), &bt)
		r := admin.json("BugTracker.update", bt.ID, map[string]any{"api_password": "new-secret", "base_url": "", "name": "Jira Cloud"})
		result(t, r, &bt)
		wantKeys(t, r, "api_url", "api_username", "base_url", "id", "name", "tracker_type")
		if bt.Name != "Jira Cloud" || bt.BaseURL != nil || bt.APIUsername == nil || *bt.APIUsername != "bot" {
			t.Fatalf("updated %+v", bt)
		}
		if user, pass, err := ts.Store.BugTrackerCredentials(t.Context(), bt.ID); err != nil || user != "bot" || pass != "new-secret" {
			t.Fatalf("credentials after rotation: %q %q %v", user, pass, err)
		}
		var stored string
		conn.QueryRow(t.Context(), "SELECT encode(api_password, 'escape') FROM bug_trackers WHERE id = $1", bt.ID).Scan(&stored)
		if strings.Contains(stored, "new-secret") {
			t.Fatal("the password is stored in the clear")
		}
		admin.viaXML(t, &bt, "BugTracker.update", bt.ID, map[string]any{"api_username": nil, "api_password": nil})
		if user, pass, _ := ts.Store.BugTrackerCredentials(t.Context(), bt.ID); user != "" || pass != "" || bt.APIUsername != nil {
			t.Fatalf("credentials cleared: %q %q %+v", user, pass, bt)
		}
		admin.fault(t, CodeInternal, "Internal error: [('name', ['Bug tracker with this Name already exists.'])]", "BugTracker.update", bt.ID, map[string]any{"name": "Bugzilla"})
		admin.fault(t, CodeInternal, "Internal error: [('tracker_type', ['This field is required.'])]", "BugTracker.update", bt.ID, map[string]any{"tracker_type": ""})
		admin.fault(t, CodeInternal, "Internal error: BugSystem matching query does not exist.", "BugTracker.update", 999, map[string]any{})
		ts.holding(t, "notracker", allBut("testcases.change_bugsystem")...).refused(t, "testcases.change_bugsystem",
			"BugTracker.update", bt.ID, map[string]any{"api_password": "stolen"})
		if _, pass, _ := ts.Store.BugTrackerCredentials(t.Context(), bt.ID); pass != "" {
			t.Fatal("a refused update set the password")
		}
	})
}

// otherProduct is the id of the fixture's second product.
func (f planFixture) otherProduct(t *testing.T, c rpcCaller) int64 {
	t.Helper()
	var ps []store.Product
	result(t, c.json("Product.filter", map[string]any{"name": "other"}), &ps)
	return ps[0].ID
}

func TestCatalogueRemove(t *testing.T) {
	b := mustPlanBed(t, "in use")
	ts, admin, f := b.ts, b.ts.callers(t, adminName, adminPass), b.f
	conn := ts.mustDB()
	c1 := mustPlanCase(t, conn, f.product, "one")
	run, _ := mustRunSQL(t, conn, b.plan.ID, "run", c1)
	mustBugSQL(t, conn, f.version, "crash")
	exists := func(table string, id int64) bool {
		var ok bool
		conn.QueryRow(t.Context(), "SELECT EXISTS (SELECT 1 FROM "+table+" WHERE id = $1)", id).Scan(&ok)
		return ok
	}
	var build int64
	conn.QueryRow(t.Context(), "SELECT build_id FROM test_runs WHERE id = $1", run).Scan(&build)

	t.Run("ErrEmptyQuery", func(t *testing.T) {
		for method, noun := range map[string]string{"Classification.remove": "classification", "Product.remove": "product",
			"Version.remove": "version", "Build.remove": "build", "Category.remove": "category", "Component.remove": "component",
			"Tag.remove": "tag", "BugTracker.remove": "bug tracker", "TestPlan.remove": "test plan"} {
			admin.fault(t, CodeInternal, "Internal error: "+method+" needs a non-empty query; an empty one would delete every "+noun+".", method, map[string]any{})
			wantFault(t, admin.json(method), CodeInvalidParams, "Invalid parameters: expected 1 parameter, got 0")
			wantFault(t, admin.json(method, nil), CodeInvalidParams, "Invalid parameters: query is required")
		}
		admin.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field.", "Product.remove", map[string]any{"nope": 1})
		admin.fault(t, CodeInvalidRequest, "Invalid request: Unsupported field", "BugTracker.remove", map[string]any{"api_password": "x"})
	})
	t.Run("ErrInUse", func(t *testing.T) {
		var cat int64
		conn.QueryRow(t.Context(), "SELECT category_id FROM test_cases WHERE id = $1", c1).Scan(&cat)
		var comp store.Component
		result(t, admin.json("Component.create", map[string]any{"name": "db", "product": f.product}), &comp)
		result(t, admin.json("TestCase.add_component", c1, "db"), new(any))
		var tag store.Tag
		result(t, admin.json("TestCase.add_tag", c1, "regression"), new(any))
		result(t, admin.json("Tag.filter", map[string]any{"name": "regression"}), &[]any{})
		conn.QueryRow(t.Context(), "SELECT id FROM tags WHERE name = 'regression'").Scan(&tag.ID)
		for _, c := range []struct {
			method string
			query  map[string]any
			msg    string
		}{
			{"Classification.remove", map[string]any{"name": "Software"}, `Classification "Software" is in use by 2 products and cannot be deleted; Classification.remove deleted nothing.`},
			{"Product.remove", map[string]any{"name": "planned"}, `Product "planned" is in use by 1 test plan, 1 test case, 1 test run, 1 test execution and 1 bug and cannot be deleted; Product.remove deleted nothing.`},
			{"Product.remove", map[string]any{"pk__in": []any{f.product}}, `Product "planned" is in use by`},
			{"Version.remove", map[string]any{"product__name": "planned", "value": "1.0"}, `Version "1.0" is in use by 1 test plan, 1 test run, 1 test execution and 1 bug and cannot be deleted; Version.remove deleted nothing.`},
			{"Build.remove", map[string]any{"id": build}, `Build "unspecified" is in use by 1 test run, 1 test execution and 1 bug and cannot be deleted; Build.remove deleted nothing.`},
			{"Category.remove", map[string]any{"category_case": c1}, `Category "--default--" is in use by 1 test case and cannot be deleted; Category.remove deleted nothing.`},
			{"Component.remove", map[string]any{"cases__summary": "one"}, `Component "db" is in use by 1 test case and cannot be deleted; Component.remove deleted nothing.`},
			{"Tag.remove", map[string]any{"case": c1}, `Tag "regression" is in use by 1 test case and cannot be deleted; Tag.remove deleted nothing.`},
		} {
			admin.fault(t, CodeInternal, "Internal error: "+c.msg, c.method, c.query)
		}
		for table, id := range map[string]int64{"products": f.product, "versions": f.version, "builds": build, "categories": cat,
			"components": comp.ID, "tags": tag.ID, "test_cases": c1, "test_runs": run} {
			if !exists(table, id) {
				t.Fatalf("a refused remove deleted %s %d", table, id)
			}
		}
	})
	t.Run("OK", func(t *testing.T) {
		other := f.otherProduct(t, admin)
		var comp store.Component
		result(t, admin.json("Component.create", map[string]any{"name": "gui", "product": other}), &comp)
		total, counts := deletedReply(t, admin, false, "Product.remove", map[string]any{"name": "other", "component__name": "gui"})
		if total != 7 || fmt.Sprint(counts) != "map[management.Build:2 management.Component:1 management.Product:1 management.Version:2 testcases.Category:1]" {
			t.Fatalf("Product.remove: %d %v", total, counts)
		}
		if exists("products", other) || exists("components", comp.ID) {
			t.Fatal("the product or its component is still there")
		}
		var v store.Version
		result(t, admin.json("Version.create", map[string]any{"product": f.product, "value": "3.0"}), &v)
		total, counts = deletedReply(t, admin, true, "Version.remove", map[string]any{"value": "3.0", "product__name": "planned"})
		if total != 2 || counts["management.Version"] != 1 || counts["management.Build"] != 1 || exists("versions", v.ID) {
			t.Fatalf("Version.remove: %d %v", total, counts)
		}
		var bld store.Build
		result(t, admin.json("Build.create", map[string]any{"name": "spare", "version": f.version}), &bld)
		if total, counts = deletedReply(t, admin, true, "Build.remove", map[string]any{"name": "spare"}); total != 1 || counts["management.Build"] != 1 {
			t.Fatalf("Build.remove: %d %v", total, counts)
		}
		var cat store.Category
		result(t, admin.json("Category.create", map[string]any{"name": "empty", "product": f.product}), &cat)
		if total, _ = deletedReply(t, admin, false, "Category.remove", map[string]any{"category_case__isnull": true, "product": f.product}); total != 1 || exists("categories", cat.ID) {
			t.Fatalf("Category.remove: %d", total)
		}
		result(t, admin.json("Component.create", map[string]any{"name": "unused", "product": f.product}), &comp)
		if total, _ = deletedReply(t, admin, true, "Component.remove", map[string]any{"name": "unused"}); total != 1 || exists("components", comp.ID) {
			t.Fatalf("Component.remove: %d", total)
		}
		var tag store.Tag
		result(t, admin.json("Tag.create", map[string]any{"name": "orphan"}), &tag)
		if total, _ = deletedReply(t, admin, false, "Tag.remove", map[string]any{"name": "orphan", "case__isnull": true}); total != 1 || exists("tags", tag.ID) {
			t.Fatalf("Tag.remove: %d", total)
		}
		var cl store.Classification
		result(t, admin.json("Classification.create", map[string]any{"name": "Unused"}), &cl)
		if total, _ = deletedReply(t, admin, true, "Classification.remove", map[string]any{"product__isnull": true}); total != 1 || exists("classifications", cl.ID) {
			t.Fatalf("Classification.remove: %d", total)
		}
		var bt store.BugTracker
		result(t, admin.json("BugTracker.create", map[string]any{"name": "Old", "tracker_type": "x"}), &bt)
		if total, counts = deletedReply(t, admin, true, "BugTracker.remove", map[string]any{"name__startswith": "Old"}); total != 1 || counts["testcases.BugSystem"] != 1 || exists("bug_trackers", bt.ID) {
			t.Fatalf("BugTracker.remove: %d %v", total, counts)
		}
		if total, counts = deletedReply(t, admin, false, "Product.remove", map[string]any{"name": "none"}); total != 0 || fmt.Sprint(counts) != "map[management.Product:0]" {
			t.Fatalf("matching nothing: %d %v", total, counts)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		var tag store.Tag
		result(t, admin.json("Tag.create", map[string]any{"name": "kept"}), &tag)
		for method, label := range map[string]string{"Tag.remove": "management.delete_tag", "Product.remove": "management.delete_product",
			"Classification.remove": "management.delete_classification", "Version.remove": "management.delete_version",
			"Build.remove": "management.delete_build", "Category.remove": "testcases.delete_category",
			"Component.remove": "management.delete_component", "BugTracker.remove": "testcases.delete_bugsystem"} {
			ts.holding(t, "no"+strings.ToLower(strings.TrimSuffix(method, ".remove")), allBut(label)...).refused(t, label, method, map[string]any{"name": "kept"})
		}
		if !exists("tags", tag.ID) {
			t.Fatal("a refused remove deleted the tag")
		}
		only := ts.holding(t, "tagremover", "management.delete_tag")
		if total, _ := deletedReply(t, only, true, "Tag.remove", map[string]any{"name": "kept"}); total != 1 {
			t.Fatal("the holder of exactly management.delete_tag could not remove")
		}
	})
}
