package rpc

import (
	"encoding/base64"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

// TestPermissionMatrix walks every registered method over both protocols,
// calling it with no parameters, so that a call that gets past the check
// fails on its parameters and writes nothing: anonymous callers are refused
// unless the method is anonymous; a user holding exactly the method's
// labels gets past the check; lacking any one of them, it is refused
// with that label named.
func TestPermissionMatrix(t *testing.T) {
	ts := mustServer(t)
	ctx := t.Context()
	admin := store.Principal{UserID: 1, Username: adminName, IsSuperuser: true}
	u, err := ts.Store.CreateUser(ctx, store.System, store.NewUser{Username: "matrix", Password: "matrix-pass-1", Groups: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("matrix:matrix-pass-1"))
	hold := func(t *testing.T, labels []string) {
		t.Helper()
		if err := ts.Store.SetUserPermissions(ctx, admin, u.ID, store.Catalogue(), false); err != nil {
			t.Fatal(err)
		}
		if len(labels) > 0 {
			if err := ts.Store.SetUserPermissions(ctx, admin, u.ID, labels, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	// refused checks both protocols; a non-empty label must be named.
	// A getter is called with an id: the object-grant check needs one.
	var params []any
	doc := func(name string) string {
		if params != nil {
			return `<methodCall><methodName>` + name + `</methodName><params><param><value><int>999999</int></value></param></params></methodCall>`
		}
		return call0(name)
	}
	refused := func(t *testing.T, name, label string, header ...string) {
		t.Helper()
		want := `Authentication failed when calling "` + name + `"`
		r := ts.jsonCall(name, params, header...)
		wantFault(t, r, CodeAuth, want)
		f, raw := ts.xmlFault(doc(name), header...)
		if f == nil || f.Code != CodeAuth || !strings.HasPrefix(f.String, want) {
			t.Fatalf("XML-RPC: want -32098, got %v %s", f, raw)
		}
		if label != "" && (!strings.Contains(r.Error.Message, label) || !strings.Contains(f.String, label)) {
			t.Fatalf("the refusal should name %s: %q / %q", label, r.Error.Message, f.String)
		}
	}
	passes := func(t *testing.T, name string) {
		t.Helper()
		if r := ts.jsonCall(name, params, "Authorization", basic); r.Error != nil && r.Error.Code == CodeAuth {
			t.Fatalf("JSON-RPC: refused: %s", r.Error.Message)
		}
		if f, _ := ts.xmlFault(doc(name), "Authorization", basic); f != nil && f.Code == CodeAuth {
			t.Fatalf("XML-RPC: refused: %s", f.String)
		}
	}
	for _, name := range ts.srv.calls.Names() {
		m := ts.srv.calls.Lookup(name)
		params = nil
		if m.Getter {
			params = []any{999999}
		}
		t.Run(name, func(t *testing.T) {
			if m.Access == Anonymous {
				hold(t, nil)
				passes(t, name)
				return
			}
			refused(t, name, "")
			hold(t, m.Perms)
			passes(t, name)
			for i, missing := range m.Perms {
				hold(t, slices.Delete(slices.Clone(m.Perms), i, i+1))
				refused(t, name, missing, "Authorization", basic)
			}
		})
	}
}

// TestAPIDocsFresh fails when docs/api.md no longer matches the registry.
func TestAPIDocsFresh(t *testing.T) {
	want, err := APIReference()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../docs/api.md")
	if err != nil || string(got) != want {
		t.Fatal("docs/api.md is stale: run `make docs` and commit it")
	}
}

// TestKiwiMethodsRegistered: every method of Kiwi TCMS 16 is served.
func TestKiwiMethodsRegistered(t *testing.T) {
	list, err := os.ReadFile("testdata/kiwi-methods.txt")
	if err != nil {
		t.Fatal(err)
	}
	ts := mustServer(t)
	n := 0
	for _, name := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		if strings.HasPrefix(name, "#") {
			continue
		}
		n++
		if ts.srv.calls.Lookup(name) == nil {
			t.Errorf("%s is not registered", name)
		}
	}
	if n != 131 {
		t.Fatalf("the list holds %d methods, want 131", n)
	}
}
