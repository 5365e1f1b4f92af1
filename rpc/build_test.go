package rpc

import (
	"fmt"
	"testing"

	"github.com/tcms/tcms/store"
)

func TestBuild(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	tester := ts.as(userName, userPass)
	p := mustProduct(t, admin, "tcms")
	var v1, v2 store.Version
	result(t, admin("Version.create", map[string]any{"product": p.ID, "value": "1.0"}), &v1)
	result(t, admin("Version.create", map[string]any{"product": p.ID, "value": "2.0"}), &v2)

	var b store.Build
	t.Run("Create", func(t *testing.T) {
		r := tester("Build.create", map[string]any{"name": "b1", "version": v2.ID})
		result(t, r, &b)
		wantKeys(t, r, "id", "is_active", "name", "version")
		if b.Name != "b1" || b.VersionID != v2.ID || !b.IsActive {
			t.Fatalf("is_active absent: %+v", b)
		}
		var off store.Build
		result(t, tester("Build.create", map[string]any{"name": "Сборка ✓", "version": fmt.Sprint(v2.ID), "is_active": false}), &off)
		if off.IsActive || off.Name != "Сборка ✓" || off.VersionID != v2.ID {
			t.Fatalf("is_active false: %+v", off)
		}
		for values, msg := range map[string]string{
			`{"name":"b1","version":3}`:                 "[('__all__', ['Build with this Version and Name already exists.'])]",
			`{"name":"b1","version":999}`:               "[('version', ['Select a valid choice. That choice is not one of the available choices.'])]",
			`{"is_active":true}`:                        "[('name', ['This field is required.']), ('version', ['This field is required.'])]",
			`{"name":"","version":[1]}`:                 "[('name', ['This field is required.']), ('version', ['Select a valid choice. That choice is not one of the available choices.'])]",
			`{"name":"x","version":3,"is_active":"no"}`: "[('is_active', ['Enter a valid boolean.'])]",
		} {
			wantFault(t, tester("Build.create", jsonValues(t, values)), CodeInternal, "Internal error: "+msg)
		}
	})
	t.Run("Filter", func(t *testing.T) {
		var all []store.BuildRow
		r := tester("Build.filter")
		result(t, r, &all)
		wantKeys(t, r, "id", "is_active", "name", "version", "version__value")
		// By version, then id: unspecified of "unspecified", of 1.0, of 2.0, then b1 and Сборка.
		if len(all) != 5 || all[0].VersionValue != "unspecified" || all[1].VersionValue != "1.0" || all[2].Name != "unspecified" || all[3].ID != b.ID {
			t.Fatalf("order: %+v", all)
		}
		for _, c := range []struct {
			query map[string]any
			want  int
		}{
			{map[string]any{"name": "b1", "version": "3"}, 1},
			{map[string]any{"name": "unspecified", "version__value": "1.0"}, 1},
			{map[string]any{"version__product__name": "tcms", "is_active": false}, 1},
			{map[string]any{"version_id__in": []any{2, 3}}, 4},
			{map[string]any{"name__icontains": "СБОР"}, 1},
		} {
			var got []store.BuildRow
			result(t, tester("Build.filter", c.query), &got)
			if len(got) != c.want {
				t.Fatalf("%v: got %+v", c.query, got)
			}
		}
		wantFault(t, tester("Build.filter", map[string]any{"nope": 1}), CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field. Choices are: bug, build_run, id, is_active, name, testexecution, version, version_id.")
	})
	t.Run("Update", func(t *testing.T) {
		var u store.Build
		result(t, tester("Build.update", b.ID, map[string]any{"is_active": false}), &u)
		if u != (store.Build{ID: b.ID, Name: "b1", VersionID: v2.ID, IsActive: false}) {
			t.Fatalf("partial is_active: %+v", u)
		}
		r := tester("Build.update", fmt.Sprint(b.ID), map[string]any{"name": "b1.1", "version": v1.ID})
		result(t, r, &u)
		wantKeys(t, r, "id", "is_active", "name", "version")
		if u.Name != "b1.1" || u.VersionID != v1.ID || u.IsActive {
			t.Fatalf("partial name and version: %+v", u)
		}
		wantFault(t, tester("Build.update", 999, map[string]any{"name": "x"}), CodeInternal, "Internal error: Build matching query does not exist.")
		wantFault(t, tester("Build.update", []any{1, 2, 3}, map[string]any{"name": "x"}), CodeInvalidParams, "Invalid parameters: build_id")
		wantFault(t, tester("Build.update", b.ID, map[string]any{"name": ""}), CodeInternal, "Internal error: [('name', ['This field is required.'])]")
		wantFault(t, tester("Build.update", b.ID, map[string]any{"version": 999}), CodeInternal, "Internal error: [('version', ['Select a valid choice. That choice is not one of the available choices.'])]")
		wantFault(t, tester("Build.update", b.ID, map[string]any{"name": "unspecified"}), CodeInternal, "Internal error: [('__all__', ['Build with this Version and Name already exists.'])]")
	})
	t.Run("OKXML", func(t *testing.T) {
		xml := ts.xmlCaller(userName, userPass)
		var x map[string]any
		if err := xml(&x, "Build.create", map[string]any{"name": "xml", "version": v1.ID}); err != nil || x["is_active"] != true {
			t.Fatalf("create: %v %v", x, err)
		}
		var list []map[string]any
		if err := xml(&list, "Build.filter", map[string]any{"name": "xml", "version": v1.ID}); err != nil || len(list) != 1 || list[0]["version__value"] != "1.0" {
			t.Fatalf("filter: %v %v", list, err)
		}
		if err := xml(&x, "Build.update", list[0]["id"], map[string]any{"is_active": false}); err != nil || x["is_active"] != false || x["name"] != "xml" {
			t.Fatalf("update: %v %v", x, err)
		}
		wantXMLFault(t, xml(nil, "Build.update", 999, map[string]any{}), CodeInternal, "Internal error: Build matching query does not exist.")
	})
}
