package rpc

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/kolo/xmlrpc"

	"github.com/tcms/tcms/store"
)

// rpcCaller makes the same call over both protocols, as one user.
type rpcCaller struct {
	json func(method string, params ...any) jsonResponse
	xml  *xmlrpc.Client
}

// callers logs the user in over both protocols.
func (ts *testServer) callers(t *testing.T, user, pass string) rpcCaller {
	t.Helper()
	c := ts.xmlClient()
	var token string
	if err := c.Call("Auth.login", []any{user, pass}, &token); err != nil {
		t.Fatal(err)
	}
	return rpcCaller{json: ts.as(user, pass), xml: c}
}

// viaXML makes an XML-RPC call and decodes its result into v by the
// JSON tags of v's type.
func (c rpcCaller) viaXML(t *testing.T, v any, method string, params ...any) {
	t.Helper()
	var got any
	if err := c.xml.Call(method, params, &got); err != nil {
		t.Fatalf("XML-RPC %s: %v", method, err)
	}
	b, _ := json.Marshal(got)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("XML-RPC %s: %v in %s", method, err, b)
	}
}

// viaJSON makes a JSON-RPC call and decodes its result into v.
func (c rpcCaller) viaJSON(t *testing.T, v any, method string, params ...any) {
	t.Helper()
	result(t, c.json(method, params...), v)
}

// fault checks that a call fails with code and message over both protocols.
func (c rpcCaller) fault(t *testing.T, code int, msg, method string, params ...any) {
	t.Helper()
	wantFault(t, c.json(method, params...), code, msg)
	// net/rpc turns the fault into a ServerError "Fault(code): message".
	err := c.xml.Call(method, params, new(any))
	if want := fmt.Sprintf("Fault(%d): %s", code, msg); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("XML-RPC %s: want %s, got %v", method, want, err)
	}
}

// nobody logs in, over both protocols, a user without any group or
// permission.
func (ts *testServer) nobody(t *testing.T) rpcCaller {
	t.Helper()
	if _, err := ts.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "nobody", Password: "nobody-pass-1", Groups: []string{}}); err != nil {
		t.Fatal(err)
	}
	return ts.callers(t, "nobody", "nobody-pass-1")
}

// refused checks that a call is refused for want of label.
func (c rpcCaller) refused(t *testing.T, label, method string, params ...any) {
	t.Helper()
	c.fault(t, CodeAuth, `Authentication failed when calling "`+method+`": permission `+label+" required", method, params...)
}

// empty checks that a filter method answers [] over XML-RPC.
func (c rpcCaller) empty(t *testing.T, method string, query map[string]any) {
	t.Helper()
	var got []any
	c.viaXML(t, &got, method, query)
	if got == nil || len(got) != 0 {
		t.Fatalf("%s(%v): want [], got %v", method, query, got)
	}
}

// keysOf lists the keys of a JSON object reply.
func keysOf(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return strings.Join(slices.Sorted(maps.Keys(m)), ",")
}

func TestEnvironment(t *testing.T) {
	ts := mustServer(t)
	c := ts.callers(t, userName, userPass) // the Tester group holds testruns.*
	var linux, windows store.Environment
	r := c.json("Environment.create", map[string]any{"name": "Linux", "description": "any distribution", "extra": 1})
	result(t, r, &linux)
	if got := keysOf(t, r.Result); got != "description,id,name" {
		t.Fatalf("S-Environment keys %s", got)
	}
	c.viaXML(t, &windows, "Environment.create", map[string]any{"name": "Windows"})
	if linux.Name != "Linux" || linux.Description != "any distribution" || windows.Description != "" || windows.ID == linux.ID {
		t.Fatalf("created %+v %+v", linux, windows)
	}

	t.Run("Filter", func(t *testing.T) {
		var all, one []store.Environment
		c.viaJSON(t, &all, "Environment.filter")
		if len(all) != 2 || all[0].Name != "Linux" || all[1].Name != "Windows" {
			t.Fatalf("filter(): %+v", all)
		}
		c.viaXML(t, &one, "Environment.filter", map[string]any{"name__istartswith": "win"})
		if len(one) != 1 || one[0] != windows {
			t.Fatalf("filter(name): %+v", one)
		}
	})
	t.Run("Properties", func(t *testing.T) {
		var p1, again, p2, p3 store.EnvironmentProperty
		r := c.json("Environment.add_property", linux.ID, "os", "fedora")
		result(t, r, &p1)
		if got := keysOf(t, r.Result); got != "environment,id,name,value" {
			t.Fatalf("S-EnvProperty keys %s", got)
		}
		c.viaXML(t, &again, "Environment.add_property", linux.ID, "os", "fedora")
		if p1.Environment != linux.ID || p1.Name != "os" || p1.Value != "fedora" || again != p1 {
			t.Fatalf("add_property twice: %+v %+v", p1, again)
		}
		c.viaXML(t, &p2, "Environment.add_property", linux.ID, "os", "debian")
		c.viaJSON(t, &p3, "Environment.add_property", windows.ID, "arch", "x86_64")
		var all []store.EnvironmentProperty
		c.viaJSON(t, &all, "Environment.properties")
		if len(all) != 3 || all[0] != p2 || all[1] != p1 || all[2] != p3 {
			t.Fatalf("properties() by environment, name, value: %+v", all)
		}
		var some []store.EnvironmentProperty
		c.viaXML(t, &some, "Environment.properties", map[string]any{"environment__name": "Linux", "value__in": []any{"fedora", "mint"}})
		if len(some) != 1 || some[0] != p1 {
			t.Fatalf("properties(query): %+v", some)
		}
		var envs []store.Environment
		c.viaJSON(t, &envs, "Environment.filter", map[string]any{"environmentproperty__name": "os"})
		if len(envs) != 1 || envs[0] != linux {
			t.Fatalf("filter through two properties must not repeat the row: %+v", envs)
		}

		var none any = "unset"
		c.viaJSON(t, &none, "Environment.remove_property", map[string]any{"environment": linux.ID, "value": "debian"})
		if none != nil {
			t.Fatalf("remove_property returned %v", none)
		}
		c.viaXML(t, &none, "Environment.remove_property", map[string]any{"environment_id": windows.ID})
		c.viaJSON(t, &all, "Environment.properties", map[string]any{})
		if len(all) != 1 || all[0] != p1 {
			t.Fatalf("after remove_property: %+v", all)
		}
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		long := strings.Repeat("x", 256)
		c.fault(t, CodeInternal, "Internal error: [('name', ['This field is required.'])]", "Environment.create", map[string]any{"description": "d"})
		c.fault(t, CodeInternal, "Internal error: [('name', ['Environment with this Name already exists.'])]", "Environment.create", map[string]any{"name": "Linux"})
		c.fault(t, CodeInternal, "Internal error: [('name', ['Ensure this value has at most 255 characters (it has 256).'])]", "Environment.create", map[string]any{"name": long})
		c.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field.", "Environment.filter", map[string]any{"nope": 1})
		c.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field.", "Environment.properties", map[string]any{"nope": 1})
		c.fault(t, CodeInternal, "Internal error: Field 'environment' expected a number but got 'abc'.", "Environment.remove_property", map[string]any{"environment": "abc"})
		c.fault(t, CodeInternal, "Internal error: [('value', ['Ensure this value has at most 255 characters (it has 256).'])]", "Environment.add_property", linux.ID, "os", long)
		c.fault(t, CodeInvalidParams, "Invalid parameters: ", "Environment.add_property", "linux", "os", "fedora")
		c.fault(t, CodeInvalidParams, "Invalid parameters: ", "Environment.remove_property")
		c.fault(t, CodeInvalidRequest, "Invalid request: Unsupported field", "Environment.filter", map[string]any{"api_token": 1})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		c.fault(t, CodeInternal, "Internal error: Environment matching query does not exist.", "Environment.add_property", 999999, "os", "fedora")
		c.empty(t, "Environment.filter", map[string]any{"pk": 999999})
		c.empty(t, "Environment.properties", map[string]any{"environment": 999999})
	})
	t.Run("ErrNoPermission", func(t *testing.T) {
		n := ts.nobody(t)
		for _, call := range []struct {
			label, method string
			params        []any
		}{
			{"testruns.view_environment", "Environment.filter", []any{map[string]any{}}},
			{"testruns.add_environment", "Environment.create", []any{map[string]any{"name": "Sneaky"}}},
			{"testruns.view_environmentproperty", "Environment.properties", []any{map[string]any{}}},
			{"testruns.add_environmentproperty", "Environment.add_property", []any{linux.ID, "sneaky", "yes"}},
			{"testruns.delete_environmentproperty", "Environment.remove_property", []any{map[string]any{}}},
		} {
			n.refused(t, call.label, call.method, call.params...)
		}
		envs, _ := ts.Store.FilterEnvironments(t.Context(), nil)
		props, _ := ts.Store.FilterEnvironmentProperties(t.Context(), nil)
		if len(envs) != 2 || len(props) != 1 {
			t.Fatalf("refused calls changed data: %+v %+v", envs, props)
		}
	})
}
