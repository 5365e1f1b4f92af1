package rpc

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

// The namespaces of statuses and labels: PlanType, Severity, Tag,
// Template, TestCaseStatus, TestExecutionStatus.

var statusLabelMethods = []string{"PlanType.create", "PlanType.filter", "Severity.create", "Severity.filter",
	"Tag.create", "Tag.filter", "Template.create", "Template.filter",
	"TestCaseStatus.create", "TestCaseStatus.filter", "TestCaseStatus.remove", "TestCaseStatus.update",
	"TestExecutionStatus.create", "TestExecutionStatus.filter", "TestExecutionStatus.remove", "TestExecutionStatus.update"}

func TestStatusLabelMethods(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)

	t.Run("OK", func(t *testing.T) {
		cases := []struct {
			method string
			params []any
			want   string // the JSON result
		}{
			{"PlanType.create", []any{map[string]any{"name": "Exploratory", "description": "by hand"}}, `{"id":12,"name":"Exploratory","description":"by hand"}`},
			{"PlanType.filter", []any{map[string]any{"name": "Integration"}}, `[{"id":2,"name":"Integration","description":""}]`},
			{"Tag.create", []any{map[string]any{"name": "smoke"}}, `{"id":1,"name":"smoke"}`},
			{"Tag.filter", []any{map[string]any{"name__in": []any{"smoke"}}}, `[{"id":1,"name":"smoke","case":null,"plan":null,"run":null,"execution":null,"bugs":null}]`},
			{"Template.create", []any{map[string]any{"name": "Plain", "text": "Steps"}}, `{"id":3,"name":"Plain","text":"Steps"}`},
			{"Template.filter", []any{map[string]any{"id__gt": 2}}, `[{"id":3,"name":"Plain","text":"Steps"}]`},
			{"TestCaseStatus.create", []any{map[string]any{"name": "REVIEW"}}, `{"id":5,"name":"REVIEW","description":"","is_confirmed":false}`},
			{"TestCaseStatus.filter", []any{map[string]any{"name": "CONFIRMED"}}, `[{"id":2,"name":"CONFIRMED","description":"","is_confirmed":true}]`},
			{"TestCaseStatus.update", []any{5, map[string]any{"name": "REVIEWED", "is_confirmed": "true"}}, `{"id":5,"name":"REVIEWED","description":"","is_confirmed":true}`},
			{"TestCaseStatus.remove", []any{5}, `null`},
			{"TestExecutionStatus.create", []any{map[string]any{"name": "FLAKY", "weight": -5, "icon": "fa fa-random"}}, `{"id":9,"name":"FLAKY","weight":-5,"icon":"fa fa-random","color":"#FFFFFF"}`},
			{"TestExecutionStatus.filter", []any{map[string]any{"weight__gt": 0}}, `[{"id":4,"name":"PASSED","weight":20,"icon":"fa fa-check-circle-o","color":"#92d400"},{"id":8,"name":"WAIVED","weight":10,"icon":"fa fa-commenting-o","color":"#92d400"}]`},
			{"TestExecutionStatus.update", []any{9, map[string]any{"color": "#abc", "weight": "-6"}}, `{"id":9,"name":"FLAKY","weight":-6,"icon":"fa fa-random","color":"#abc"}`},
			{"TestExecutionStatus.remove", []any{9}, `null`},
			{"Severity.create", []any{map[string]any{"name": "Critical", "weight": "30", "icon": "fa fa-fire", "color": "#cc0000"}}, `{"id":1,"name":"Critical","weight":30,"icon":"fa fa-fire","color":"#cc0000"}`},
			{"Severity.filter", []any{map[string]any{}}, `[{"id":1,"name":"Critical","weight":30,"icon":"fa fa-fire","color":"#cc0000"}]`},
		}
		for _, c := range cases {
			r := admin(c.method, c.params...)
			var got, want any
			result(t, r, &got)
			json.Unmarshal([]byte(c.want), &want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: got %s, want %s", c.method, r.Result, c.want)
			}
		}
	})

	t.Run("ErrBadInput", func(t *testing.T) {
		long := strings.Repeat("x", 65)
		cases := []struct {
			method string
			params []any
			msg    string
		}{
			{"PlanType.create", []any{map[string]any{}}, `[('name', ['This field is required.'])]`},
			{"PlanType.create", []any{map[string]any{"name": "Unit"}}, `[('name', ['Plan type with this Name already exists.'])]`},
			{"PlanType.create", []any{map[string]any{"name": long}}, `[('name', ['Ensure this value has at most 64 characters (it has 65).'])]`},
			{"PlanType.filter", []any{map[string]any{"nope": 1}}, `Cannot resolve keyword 'nope' into field. Choices are: description, id, name.`},
			{"Tag.create", []any{map[string]any{"name": ""}}, `[('name', ['This field is required.'])]`},
			{"Tag.filter", []any{map[string]any{"cases": 1}}, `Cannot resolve keyword 'cases' into field. Choices are: bugs, case, execution, id, name, plan, run.`},
			{"Template.create", []any{map[string]any{"name": "x", "text": ""}}, `[('text', ['This field is required.'])]`},
			{"Template.filter", []any{map[string]any{"id": "x"}}, `Field 'id' expected a number but got 'x'.`},
			{"TestCaseStatus.create", []any{map[string]any{"is_confirmed": true}}, `[('name', ['This field is required.'])]`},
			{"TestCaseStatus.filter", []any{map[string]any{"weight": 1}}, `Cannot resolve keyword 'weight' into field. Choices are: description, id, is_confirmed, name.`},
			{"TestCaseStatus.update", []any{2, map[string]any{"is_confirmed": false}}, `At least one confirmed test case status must remain.`},
			{"TestCaseStatus.update", []any{1, map[string]any{"name": nil}}, `[('name', ['This field is required.'])]`},
			{"TestCaseStatus.update", []any{99, map[string]any{}}, `TestCaseStatus matching query does not exist.`},
			{"TestCaseStatus.remove", []any{2}, `At least one confirmed test case status must remain.`},
			{"TestCaseStatus.remove", []any{99}, `TestCaseStatus matching query does not exist.`},
			{"TestExecutionStatus.create", []any{map[string]any{"name": "X", "weight": 1, "icon": "fa fa-x", "color": "red"}}, `[('color', ['Enter a hex colour: #rgb or #rrggbb.'])]`},
			{"TestExecutionStatus.create", []any{map[string]any{"name": "X", "icon": "fa;x"}}, `[('weight', ['This field is required.']), ('icon', ["Enter CSS class names: letters, digits, '-' and '_', separated by single spaces."])]`},
			{"TestExecutionStatus.create", []any{map[string]any{"name": "PASSED", "weight": 1, "icon": "fa"}}, `[('name', ['Test execution status with this Name already exists.'])]`},
			{"TestExecutionStatus.filter", []any{map[string]any{"weight__gt": "x"}}, `Field 'weight' expected a number but got 'x'.`},
			{"TestExecutionStatus.update", []any{4, map[string]any{"icon": "", "weight": 3000000000}}, `[('weight', ['Ensure this value is less than or equal to 2147483647.']), ('icon', ['This field is required.'])]`},
			{"TestExecutionStatus.update", []any{4, map[string]any{"color": "#12345"}}, `[('color', ['Enter a hex colour: #rgb or #rrggbb.'])]`},
			{"TestExecutionStatus.update", []any{99, map[string]any{}}, `TestExecutionStatus matching query does not exist.`},
			{"TestExecutionStatus.remove", []any{99}, `TestExecutionStatus matching query does not exist.`},
			{"Severity.create", []any{map[string]any{"name": "Minor"}}, `[('weight', ['This field is required.']), ('icon', ['This field is required.']), ('color', ['This field is required.'])]`},
			{"Severity.create", []any{map[string]any{"name": "Critical", "weight": 1, "icon": "fa", "color": "#000"}}, `[('name', ['Severity with this Name already exists.'])]`},
			{"Severity.filter", []any{map[string]any{"nope": 1}}, `Cannot resolve keyword 'nope' into field. Choices are: color, icon, id, name, weight.`},
		}
		for _, c := range cases {
			wantFault(t, admin(c.method, c.params...), CodeInternal, "Internal error: "+c.msg)
		}
		wantFault(t, admin("TestExecutionStatus.remove", "x"), CodeInvalidParams, "Invalid parameters: status_id: expected an integer")
	})

	t.Run("ErrNoPermission", func(t *testing.T) {
		if _, err := ts.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "nobody", Password: "nobody-pass-1", Groups: []string{}}); err != nil {
			t.Fatal(err)
		}
		nobody := ts.as("nobody", "nobody-pass-1")
		before := statusLabelCounts(t, ts)
		args := map[string][]any{"remove": {1}, "update": {1, map[string]any{"name": "x", "weight": 1, "is_confirmed": true}}}
		for _, m := range statusLabelMethods {
			verb := m[strings.Index(m, ".")+1:]
			params, ok := args[verb]
			if !ok {
				params = []any{map[string]any{"name": "sneaky", "text": "t", "weight": 1, "icon": "fa", "color": "#fff"}}
			}
			wantFault(t, nobody(m, params...), CodeAuth, `Authentication failed when calling "`+m+`": permission `+ts.srv.calls.Lookup(m).Perms[0]+" required")
		}
		if after := statusLabelCounts(t, ts); after != before {
			t.Fatalf("refused calls wrote: %s -> %s", before, after)
		}
	})

	t.Run("XMLRPC", func(t *testing.T) {
		c := ts.xmlClient()
		var token string
		if err := c.Call("Auth.login", []any{adminName, adminPass}, &token); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			method string
			params []any
			key    string
			want   any
		}{
			{"PlanType.create", []any{map[string]any{"name": "Charter"}}, "name", "Charter"},
			{"PlanType.filter", []any{map[string]any{"pk": 11}}, "name", "Regression"},
			{"Tag.create", []any{map[string]any{"name": "nightly"}}, "name", "nightly"},
			{"Tag.filter", []any{map[string]any{"name": "nightly"}}, "bugs", nil},
			{"Template.create", []any{map[string]any{"name": "Short", "text": "Do it"}}, "text", "Do it"},
			{"Template.filter", []any{map[string]any{"name": "Itemized list"}}, "id", int64(2)},
			{"TestCaseStatus.create", []any{map[string]any{"name": "OBSOLETE", "description": "old", "is_confirmed": false}}, "id", int64(6)},
			{"TestCaseStatus.filter", []any{map[string]any{"is_confirmed": true}}, "name", "CONFIRMED"},
			{"TestCaseStatus.update", []any{6, map[string]any{"description": "gone"}}, "description", "gone"},
			{"TestCaseStatus.remove", []any{6}, "", nil},
			// The refused create of a duplicate name above used up id 10.
			{"TestExecutionStatus.create", []any{map[string]any{"name": "SKIPPED", "weight": 0, "icon": "fa fa-forward", "color": "#72767B"}}, "id", int64(11)},
			{"TestExecutionStatus.filter", []any{map[string]any{"name": "PASSED"}}, "id", int64(4)},
			{"TestExecutionStatus.update", []any{11, map[string]any{"icon": "fa fa-fast-forward"}}, "icon", "fa fa-fast-forward"},
			{"TestExecutionStatus.remove", []any{11}, "", nil},
			{"Severity.create", []any{map[string]any{"name": "Low", "weight": -1, "icon": "fa fa-arrow-down", "color": "#fff"}}, "weight", int64(-1)},
			{"Severity.filter", []any{map[string]any{"weight__lt": 0}}, "name", "Low"},
		}
		for _, tc := range cases {
			var got any
			if err := c.Call(tc.method, tc.params, &got); err != nil {
				t.Fatalf("%s: %v", tc.method, err)
			}
			if list, ok := got.([]any); ok && len(list) > 0 {
				got = list[0]
			}
			if tc.key != "" {
				got = got.(map[string]any)[tc.key]
			}
			if got != tc.want {
				t.Fatalf("%s: %s is %#v, want %#v", tc.method, tc.key, got, tc.want)
			}
		}
	})
}

// statusLabelCounts sums up the rows of the six tables.
func statusLabelCounts(t *testing.T, ts *testServer) string {
	t.Helper()
	ctx, all := t.Context(), map[string]any{}
	p, err1 := ts.Store.FilterPlanTypes(ctx, all)
	tg, err2 := ts.Store.FilterTags(ctx, all)
	tp, err3 := ts.Store.FilterTemplates(ctx, all)
	cs, err4 := ts.Store.FilterTestCaseStatuses(ctx, all)
	es, err5 := ts.Store.FilterTestExecutionStatuses(ctx, all)
	sv, err6 := ts.Store.FilterSeverities(ctx, all)
	for _, err := range []error{err1, err2, err3, err4, err5, err6} {
		if err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal([]any{p, tg, tp, cs, es, sv})
	return string(b)
}
